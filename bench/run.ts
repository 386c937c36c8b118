// pnpm bench: Hookyard's speed on this machine, each figure beside a baseline measured in the
// same run. Ingest: single-event Distribution envelopes at 50 connections against a bare Express
// route that only parses and answers 202. Delivery: events through fan-out, the worker and POSTs
// to a loopback sink, end to end. Matching: one event's webhooks among 100,000 beside a primary-key
// read (bench/matching.ts).
import { execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { startApi } from "@hookyard/api";
import { loadConfig } from "@hookyard/config";
import { createDb } from "@hookyard/db";
import { createLogger } from "@hookyard/logger";
import { createTestDatabase, deleteQueueKeys, prepareTemplateDatabase, waitFor } from "@hookyard/testkit";
import express from "express";
import { benchMatching } from "./matching.js";
import { benchPrune } from "./prune.js";
import { benchSoak } from "./soak.js";

const run = promisify(execFile);
const SECONDS = process.env.BENCH_SECONDS ?? "10";
const CONNECTIONS = "50";
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 5000);
const CONCURRENCY_PER_WORKER = process.env.BENCH_WORKER_CONCURRENCY ?? "100";
const ADMIN = "bench-admin-token-0123456789";
const INGEST = "bench-ingest-token-0123456789";

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(url: string): Promise<Load> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "bench/load.ts", url, INGEST, CONNECTIONS, SECONDS],
    {
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(stdout) as Load;
}

function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function row(name: string, l: Load): string {
  return `${name.padEnd(34)} ${l.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${String(l.p50).padStart(4)} ms   p99 ${String(l.p99).padStart(4)} ms   non-2xx ${l.non2xx}`;
}

interface DeliveryFigure {
  perSecond: number;
  seconds: number;
  attempts: number;
  rssMb: number[];
  /** CPU per delivery, in µs: the worker processes, Postgres, Redis. */
  cpu: { workers: number; postgres: number; redis: number };
}

/** CPU seconds a process has used (utime + stime of /proc/PID/stat). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of every process of a command name (all of Postgres's backends, say). */
async function cpuOf(command: string): Promise<number> {
  const { stdout } = await run("pgrep", ["-x", command]).catch(() => ({ stdout: "" }));
  const pids = stdout.split("\n").filter(Boolean).map(Number);
  return (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
}

function deliveryRow(name: string, d: DeliveryFigure): string {
  return `${`ingest -> fan-out -> POST -> attempt row, ${name}`.padEnd(56)} ${d.perSecond.toFixed(0).padStart(6)} deliveries/s   (the last ${d.seconds.toFixed(1)} s, after the first fifth; ${d.attempts} attempt rows; worker RSS ${d.rssMb.map((r) => r.toFixed(0)).join(" + ")} MB; CPU per delivery: workers ${d.cpu.workers} µs, Postgres ${d.cpu.postgres} µs, Redis ${d.cpu.redis} µs)`;
}

/** Events enqueued first, then `workers` worker processes started: the figure is the workers'. */
async function measureDelivery(workers: number): Promise<DeliveryFigure> {
  const own = await createTestDatabase();
  const ownEnv = { ...env, DATABASE_URL: own.url, HOOKYARD_QUEUE_PREFIX: `hy-bench-${process.pid}-${workers}` };
  const ownConfig = loadConfig(ownEnv);
  const sink = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
  const api = await startApi(ownConfig, logger);
  const db = createDb(own.url);
  try {
    const base = `http://127.0.0.1:${api.port}`;
    await fetch(`${base}/api/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench", url: sinkUrl, events: ["TAG_PUSH"], repository: "bench/app" }),
    });
    const { runIngest } = await import("./enqueue.js");
    await runIngest(base, INGEST, DELIVERIES);
    const profile = process.env.BENCH_WORKER_PROFILE
      ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}`]
      : [];
    const children = Array.from({ length: workers }, () =>
      spawn(process.execPath, [...profile, "apps/worker/dist/main.js"], {
        env: { ...process.env, ...ownEnv, HOOKYARD_WORKER_CONCURRENCY: CONCURRENCY_PER_WORKER },
        stdio: "ignore",
      }),
    );
    // Measured from the moment a fifth of the work is done, so that the workers' start (about
    // 2.5 s of CPU each, Prisma's engine and module loading) does not count as delivery work.
    const succeeded = () => db.delivery.count({ where: { status: "succeeded" } });
    const sample = async () => ({
      at: performance.now(),
      done: await succeeded(),
      workers: (await Promise.all(children.map((c) => cpuSeconds(c.pid ?? 0)))).reduce((a, b) => a + b, 0),
      postgres: await cpuOf("postgres"),
      redis: await cpuOf("redis-server"),
    });
    const wait = { timeoutMs: 300_000, intervalMs: 100 };
    await waitFor(async () => (await succeeded()) >= DELIVERIES / 5, { ...wait, what: "a fifth of the deliveries" });
    const from = await sample();
    await waitFor(async () => (await succeeded()) >= DELIVERIES, { ...wait, what: "all deliveries" });
    const to = await sample();
    const delivered = to.done - from.done;
    const seconds = (to.at - from.at) / 1000;
    const perDelivery = (key: "workers" | "postgres" | "redis") =>
      Math.round(((to[key] - from[key]) * 1e6) / delivered);
    const cpu = { workers: perDelivery("workers"), postgres: perDelivery("postgres"), redis: perDelivery("redis") };
    const rssMb = await Promise.all(
      children.map((c) => run("ps", ["-o", "rss=", "-p", String(c.pid)]).then((r) => Number(r.stdout.trim()) / 1024)),
    );
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => new Promise((r) => c.once("exit", r))));
    return { perSecond: delivered / seconds, seconds, attempts: await db.deliveryAttempt.count(), rssMb, cpu };
  } finally {
    await db.$disconnect();
    await api.close();
    sink.close();
    await deleteQueueKeys(ownConfig.redisUrl, ownConfig.queuePrefix);
    await own.drop();
  }
}

/** One worker process against two, on the same work. */
async function benchDelivery(): Promise<void> {
  const one = await measureDelivery(1);
  const two = await measureDelivery(2);
  console.log(
    `delivery: ${DELIVERIES} TAG_PUSH events, one webhook, worker processes of concurrency ${CONCURRENCY_PER_WORKER}`,
  );
  console.log(deliveryRow("one worker", one));
  console.log(deliveryRow("two workers", two));
  console.log(`two workers against one: ${(two.perSecond / one.perSecond).toFixed(2)} (target >= 1.0 on two cores)`);
}

/** Ingest beside a bare Express route answering 202, in the same run. */
async function benchIngest(): Promise<void> {
  const bare = express();
  bare.post("/ingest", express.json({ type: () => true, limit: "1mb" }), (_req, res) => {
    res.status(202).json({ accepted: 1, duplicates: 0, ignored: 0 });
  });
  const bareServer = await listen(bare);
  const baseline = await load(`${bareServer.url}/ingest`);
  await bareServer.close();

  const api = await startApi(config, logger);
  const ingest = await load(`http://127.0.0.1:${api.port}/api/v1/ingest/distribution`);
  await api.close();
  await deleteQueueKeys(config.redisUrl, config.queuePrefix);

  console.log("ingest: single-event Distribution envelopes, 50 connections");
  console.log(row("bare Express route (baseline)", baseline));
  console.log(row("POST /api/v1/ingest/distribution", ingest));
  console.log(
    `ratio to baseline: ${(ingest.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)} (target >= 0.6)\n`,
  );
}

await prepareTemplateDatabase();
const database = await createTestDatabase();
const env = {
  DATABASE_URL: database.url,
  PORT: "0",
  HOOKYARD_ADMIN_TOKEN: ADMIN,
  HOOKYARD_INGEST_TOKENS: INGEST,
  HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
  HOOKYARD_QUEUE_PREFIX: `hy-bench-${process.pid}`,
  LOG_LEVEL: "warn",
};
const config = loadConfig(env);
const logger = createLogger({ service: "bench", level: "warn" });

try {
  console.log(`Hookyard benchmarks (${new Date().toISOString()}, node ${process.version}, ${SECONDS}s runs)\n`);

  // `pnpm bench <section>` (or BENCH_ONLY=<section>) runs that section alone: ingest, delivery,
  // matching, or, only when named, prune (5 million rows; minutes) and soak (10 minutes; BENCH_SOAK_MINUTES).
  const only = process.argv[2] ?? process.env.BENCH_ONLY;
  const runs = (section: string) => (only ? only === section : section !== "prune" && section !== "soak");

  // --- ingest
  if (runs("ingest")) await benchIngest();

  // --- delivery, end to end: ingest -> fan-out -> worker process(es) -> loopback sink
  if (runs("delivery")) await benchDelivery();

  // --- matching: one event's webhooks among 100,000, beside a primary-key read
  if (runs("matching")) await benchMatching();

  // --- retention: batched deletes of 5 million attempt rows against partition drops (decision 0007)
  if (runs("prune")) await benchPrune();

  // --- soak: steady ingest with retention in minutes; what must level off, minute by minute
  if (runs("soak")) await benchSoak();
} finally {
  await deleteQueueKeys(config.redisUrl, config.queuePrefix);
  await database.drop();
}
