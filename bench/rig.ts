// What the delivery scenarios share: a database and queue prefix of their own, the API and worker
// processes as deployed, a loopback receiver that counts (and can hang), and the CPU and memory
// readings of processes from /proc.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { promisify } from "node:util";
import { createDb, type Db, newId } from "@hookyard/db";
import { createTestDatabase, deleteQueueKeys, freePort, waitFor } from "@hookyard/testkit";

const run = promisify(execFile);
export const ADMIN = "bench-admin-token-0123456789";
export const INGEST = "bench-ingest-token-0123456789";
/** HOOKYARD_ENCRYPTION_KEYS of the bench's processes: a fixed key, for benches only. */
export const ENCRYPTION_KEYS = `bench:${Buffer.alloc(32, 3).toString("base64")}`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU seconds a process has used (utime + stime of /proc/PID/stat). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of every process of a command name (all of Postgres's backends, say). */
export async function cpuOf(command: string): Promise<number> {
  const { stdout } = await run("pgrep", ["-x", command]).catch(() => ({ stdout: "" }));
  const pids = stdout.split("\n").filter(Boolean).map(Number);
  return (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
}

/** A process's peak resident memory so far (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * A loopback receiver: `/ok` answers 200, `/hang` takes the request and never answers, `/slow`
 * answers 200 after SLOW_ANSWER_MS. It counts
 * what reached `/ok` and, when asked, when each tag `t<n>` of a DTR body first arrived there.
 */
export interface Sink {
  url(path: "ok" | "hang" | "slow"): string;
  delivered(): number;
  /** Requests that carried a delivery id (x-hookyard-delivery) already seen: repeats. */
  repeats(): number;
  /** Arrival times (performance.now()) of deliveries that carried tag t<n>, by n. */
  arrivals: Map<number, number[]>;
  close(): Promise<void>;
}

/** How long `/slow` takes to answer: a receiver that is alive and slow (issue 29). */
export const SLOW_ANSWER_MS = 8_000;

export async function startSink(options: { recordTags?: boolean } = {}): Promise<Sink> {
  let delivered = 0;
  const arrivals = new Map<number, number[]>();
  const seen = new Set<string>();
  let repeats = 0;
  const count = (req: IncomingMessage) => {
    delivered++;
    const id = req.headers["x-hookyard-delivery"];
    if (typeof id !== "string") return;
    if (seen.has(id)) repeats++;
    else seen.add(id);
  };
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === "/hang") {
      req.resume();
      return;
    }
    if (req.url === "/slow") {
      req.resume();
      setTimeout(() => res.writeHead(200).end(), SLOW_ANSWER_MS);
      return;
    }
    if (!options.recordTags) {
      req.resume();
      req.on("end", () => {
        count(req);
        res.writeHead(200).end();
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const at = performance.now();
      count(req);
      const tag = /"tag":"t(\d+)"/.exec(Buffer.concat(chunks).toString("utf8"))?.[1];
      if (tag !== undefined) {
        const list = arrivals.get(Number(tag)) ?? [];
        list.push(at);
        arrivals.set(Number(tag), list);
      }
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}/${path}`,
    delivered: () => delivered,
    repeats: () => repeats,
    arrivals,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A database and queue prefix of the scenario's own, and the settings its processes share. */
export interface Stage {
  db: Db;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function openStage(name: string, extra: Record<string, string> = {}): Promise<Stage> {
  const own = await createTestDatabase();
  const env = {
    DATABASE_URL: own.url,
    HOOKYARD_ADMIN_TOKEN: ADMIN,
    HOOKYARD_INGEST_TOKENS: INGEST,
    HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
    HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
    HOOKYARD_QUEUE_PREFIX: `hy-bench-${process.pid}-${name}`,
    HOOKYARD_WORKER_METRICS_PORT: "0",
    // As deployed the processes log at info; the figures are taken at warn unless BENCH_LOG_LEVEL says.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    ...extra,
  };
  const db = createDb(own.url);
  return {
    db,
    env,
    async close() {
      await db.$disconnect();
      await deleteQueueKeys(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", env.HOOKYARD_QUEUE_PREFIX);
      await own.drop();
    },
  };
}

/** Webhooks straight into the table (10,000 through the API would time the API, not delivery). */
export async function seedWebhooks(
  db: Db,
  count: number,
  options: { url: string; repository: string; events?: string[] },
): Promise<void> {
  // 1,000 rows a statement: more, and Prisma splits the insert into a transaction of its own.
  for (let from = 0; from < count; from += 1_000) {
    await db.webhook.createMany({
      data: Array.from({ length: Math.min(1_000, count - from) }, (_, i) => ({
        id: newId("webhook"),
        name: `bench-${from + i}`,
        url: options.url,
        events: options.events ?? ["TAG_PUSH"],
        repository: options.repository,
        namespace: options.repository.split("/")[0] as string,
      })),
    });
  }
}

/** A figure with thousands separators. */
export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits });

export interface Proc {
  child: ChildProcess;
  cpu(): Promise<number>;
  peakRssMb(): Promise<number>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startProcess(main: string, env: Record<string, string>): Proc {
  // BENCH_WORKER_PROFILE / BENCH_API_PROFILE: a directory for the processes' CPU profiles.
  const profileDir = main.includes("worker") ? process.env.BENCH_WORKER_PROFILE : process.env.BENCH_API_PROFILE;
  const profile = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  // BENCH_WORKER_NODE_FLAGS: Node flags for the worker (--trace-gc, --heapsnapshot-signal=SIGUSR2),
  // whose output then shows on this process's stdout.
  const flags = (main.includes("worker") && process.env.BENCH_WORKER_NODE_FLAGS?.split(" ").filter(Boolean)) || [];
  const child = spawn(process.execPath, [...profile, ...flags, main], {
    env: { ...process.env, ...env },
    stdio: ["ignore", flags.length > 0 ? "inherit" : "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    cpu: () => cpuSeconds(child.pid ?? 0),
    peakRssMb: () => peakRssMb(child.pid ?? 0),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export const startWorker = (env: Record<string, string>) => startProcess("apps/worker/dist/main.js", env);

/** The API as its own process, on a free port; resolves once it answers /readyz. */
export async function startApiProcess(env: Record<string, string>): Promise<Proc & { base: string }> {
  const port = await freePort();
  const proc = startProcess("apps/api/dist/main.js", { ...env, PORT: String(port) });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok === true, {
    timeoutMs: 30_000,
    intervalMs: 100,
    what: "the API to answer /readyz",
  });
  return { ...proc, base };
}

/** A tagged push (MANIFEST_PUSH and TAG_PUSH) sent to the ingest route; throws unless accepted. */
export async function ingest(base: string, envelope: unknown): Promise<void> {
  const response = await fetch(`${base}/api/v1/ingest/distribution`, {
    method: "POST",
    headers: { authorization: `Bearer ${INGEST}`, "content-type": "application/json" },
    body: JSON.stringify(envelope),
  });
  if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
  await response.arrayBuffer();
}

/**
 * Waits until `count` deliveries are succeeded in Postgres. The receiver's count is watched first,
 * as it costs nothing: a count of the deliveries table under load costs Postgres about 6 ms, and
 * polled every 50 ms it took 15% of a core from the run it measured.
 */
export async function untilSucceeded(db: Db, sink: Sink, count: number): Promise<void> {
  const what = `${count} deliveries`;
  await waitFor(() => sink.delivered() - sink.repeats() >= count, { timeoutMs: 300_000, intervalMs: 5, what });
  await waitFor(async () => (await succeededCount(db)) >= count, { timeoutMs: 300_000, intervalMs: 10, what });
}

/** Succeeded deliveries, as Postgres has them. */
export async function succeededCount(db: Db): Promise<number> {
  return db.delivery.count({ where: { status: "succeeded" } });
}

export interface Reading {
  at: number;
  done: number;
  workers: number;
  postgres: number;
  redis: number;
  /** This process: the receiver, which runs here. */
  receiver: number;
  /** Bytes of WAL Postgres has written so far (its whole cluster; nothing else runs during a bench). */
  wal: number;
}

export async function reading(db: Db, workers: readonly Proc[]): Promise<Reading> {
  const [done, cpus, postgres, redis, [lsn]] = await Promise.all([
    succeededCount(db),
    Promise.all(workers.map((w) => w.cpu())),
    cpuOf("postgres"),
    cpuOf("redis-server"),
    db.$queryRaw<Array<{ bytes: string }>>`SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS bytes`,
  ]);
  const own = process.cpuUsage();
  const receiver = (own.user + own.system) / 1e6;
  const wal = Number(lsn?.bytes ?? 0);
  return { at: performance.now(), done, workers: cpus.reduce((a, b) => a + b, 0), postgres, redis, receiver, wal };
}
