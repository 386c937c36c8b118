// pnpm bench soak: steady ingest for BENCH_SOAK_MINUTES (10) with one receiver in ten failing and
// retention set to minutes, printing once a minute what must level off: the API's and the worker's
// RSS, Redis's memory, and the sizes of the Postgres tables; at the end, the slope of each over the
// second half.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDb, type Db } from "@hookyard/db";
import { createTestDatabase, deleteQueueKeys, freePort, manifestPush, waitFor } from "@hookyard/testkit";
import { Redis } from "ioredis";
import { ENCRYPTION_KEYS } from "./rig.js";

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);
const EVENTS_PER_SECOND = Number(process.env.BENCH_SOAK_RATE ?? 20);
const WEBHOOKS = 10;
const ADMIN = "bench-admin-token-0123456789";
const INGEST = "bench-ingest-token-0123456789";
const TABLES = ["events", "deliveries", "delivery_attempts", "callbacks", "chain_runs", "operational_events"];

interface Sample {
  minute: number;
  apiRssMb: number;
  workerRssMb: number;
  redisMb: number;
  tablesMb: Record<string, number>;
  delivered: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rssMb(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function tableSizesMb(db: Db): Promise<Record<string, number>> {
  const rows = await db.$queryRaw<Array<{ name: string; bytes: bigint }>>`
    SELECT relname AS name, pg_total_relation_size(c.oid) AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND relname = ANY(${TABLES}::text[])`;
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes) / 1024 / 1024]));
}

/** Least-squares slope, per minute, of the values over the minutes. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function start(main: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] });
}

export async function benchSoak(): Promise<void> {
  console.log(
    `\nsoak: ${EVENTS_PER_SECOND} pushes/s to ${WEBHOOKS} webhooks (one failing) for ${MINUTES} min, retention 3 min, bodies 1 min, dedup window ${process.env.BENCH_SOAK_DEDUP_WINDOW ?? "2m"}`,
  );
  const database = await createTestDatabase();
  const queuePrefix = `hy-bench-soak-${process.pid}`;
  let delivered = 0;
  const receiver: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const failing = req.url === "/failing";
      if (!failing) delivered += 1;
      res.writeHead(failing ? 503 : 200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const port = await freePort();
  const env = {
    DATABASE_URL: database.url,
    PORT: String(port),
    HOOKYARD_ADMIN_TOKEN: ADMIN,
    HOOKYARD_INGEST_TOKENS: INGEST,
    HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
    HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
    HOOKYARD_QUEUE_PREFIX: queuePrefix,
    HOOKYARD_WORKER_METRICS_PORT: "0",
    // Retries over 7 s, history for 3 minutes, bodies for 1: a long run in a short one.
    HOOKYARD_RETRY_SCHEDULE: "1s,2s,4s",
    HOOKYARD_RETENTION: "3m",
    HOOKYARD_BODY_RETENTION: "1m",
    HOOKYARD_PRUNE_INTERVAL: "20s",
    // Redis keeps each accepted event's dedup key this long (24 h by default, about 200 bytes each):
    // minutes here, so that Redis's memory can level off within the run too.
    HOOKYARD_DEDUP_WINDOW: process.env.BENCH_SOAK_DEDUP_WINDOW ?? "2m",
    LOG_LEVEL: "warn",
  };
  const api = start("apps/api/dist/main.js", env);
  const worker = start("apps/worker/dist/main.js", env);
  const base = `http://127.0.0.1:${port}`;
  const db = createDb(database.url);
  const redis = new Redis("redis://127.0.0.1:6379");
  try {
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok, {
      timeoutMs: 30_000,
      what: "the API",
    });
    for (let i = 0; i < WEBHOOKS; i++) {
      await fetch(`${base}/api/v1/webhooks`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: `soak-${i}`,
          url: `${receiverUrl}/${i === 0 ? "failing" : `ok-${i}`}`,
          events: ["TAG_PUSH"],
          repository: "bench/soak",
        }),
      });
    }

    let stopped = false;
    let refused = 0;
    const sender = (async () => {
      let i = 0;
      while (!stopped) {
        i += 1;
        const res = await fetch(`${base}/api/v1/ingest/distribution`, {
          method: "POST",
          headers: { authorization: `Bearer ${INGEST}`, "content-type": "application/json" },
          body: JSON.stringify(manifestPush({ repository: "bench/soak", tag: `s${i}` })),
        }).catch(() => null);
        if (res?.status !== 202) refused += 1;
        await res?.arrayBuffer();
        await sleep(1000 / EVENTS_PER_SECOND);
      }
    })();

    const samples: Sample[] = [];
    console.log("RSS: each minute's lowest of six readings, 10 s apart");
    console.log(
      "minute  api RSS  worker RSS  Redis    events  deliveries  attempts  callbacks  runs   outbox   delivered",
    );
    for (let minute = 1; minute <= MINUTES; minute++) {
      // RSS goes up and down with the garbage collector: each minute's lowest of six looks is its floor.
      const api10s: number[] = [];
      const worker10s: number[] = [];
      for (let look = 0; look < 6; look++) {
        await sleep(10_000);
        api10s.push(await rssMb(api));
        worker10s.push(await rssMb(worker));
      }
      const info = await redis.info("memory");
      const redisMb = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 1024 / 1024;
      const sample: Sample = {
        minute,
        apiRssMb: Math.min(...api10s),
        workerRssMb: Math.min(...worker10s),
        redisMb,
        tablesMb: await tableSizesMb(db),
        delivered,
      };
      samples.push(sample);
      const t = sample.tablesMb;
      const mb = (v: number | undefined) => `${(v ?? 0).toFixed(1).padStart(6)} MB`;
      console.log(
        `${String(minute).padStart(6)} ${mb(sample.apiRssMb)} ${mb(sample.workerRssMb)} ${mb(redisMb)} ${mb(t.events)} ${mb(t.deliveries)} ${mb(t.delivery_attempts)} ${mb(t.callbacks)} ${mb(t.chain_runs)} ${mb(t.operational_events)} ${String(delivered).padStart(9)}`,
      );
    }
    stopped = true;
    await sender;

    const half = samples.filter((s) => s.minute > MINUTES / 2);
    const series: Array<[string, (s: Sample) => number]> = [
      ["API RSS", (s) => s.apiRssMb],
      ["worker RSS", (s) => s.workerRssMb],
      ["Redis memory", (s) => s.redisMb],
      ...TABLES.map((name): [string, (s: Sample) => number] => [`table ${name}`, (s) => s.tablesMb[name] ?? 0]),
    ];
    console.log(`slopes over the second half (MB per minute; level is near 0), ${refused} ingest requests refused:`);
    for (const [name, value] of series) {
      const perMinute = slope(half.map((s) => [s.minute, value(s)]));
      const last = value(samples.at(-1) as Sample);
      console.log(
        `  ${name.padEnd(26)} ${perMinute >= 0 ? "+" : ""}${perMinute.toFixed(2)} MB/min (last ${last.toFixed(1)} MB)`,
      );
    }
  } finally {
    api.kill("SIGTERM");
    worker.kill("SIGTERM");
    await sleep(2_000);
    receiver.close();
    redis.disconnect();
    await db.$disconnect();
    await deleteQueueKeys("redis://127.0.0.1:6379", queuePrefix);
    await database.drop();
  }
}
