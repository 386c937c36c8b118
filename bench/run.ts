// pnpm bench: Hookyard's speed on this machine, each figure beside a baseline measured in the
// same run. Ingest: single-event Distribution envelopes at 50 connections against a bare Express
// route that only parses and answers 202. Delivery: events through fan-out, the worker and POSTs
// to a loopback sink, end to end.
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { startApi } from "@hookyard/api";
import { loadConfig } from "@hookyard/config";
import { createDb } from "@hookyard/db";
import { createLogger } from "@hookyard/logger";
import { createTestDatabase, deleteQueueKeys, prepareTemplateDatabase, waitFor } from "@hookyard/testkit";
import express from "express";

const run = promisify(execFile);
const SECONDS = process.env.BENCH_SECONDS ?? "10";
const CONNECTIONS = "50";
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 5000);
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

  // --- ingest
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

  // --- delivery, end to end: ingest -> fan-out -> worker process -> loopback sink
  const sink = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
  const api2 = await startApi(config, logger);
  const base = `http://127.0.0.1:${api2.port}`;
  await fetch(`${base}/api/v1/webhooks`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "bench", url: sinkUrl, events: ["TAG_PUSH"], repository: "bench/app" }),
  });
  // Enqueue first, then start the worker: the figure is the worker's, not the ingest's.
  const { runIngest } = await import("./enqueue.js");
  await runIngest(base, INGEST, DELIVERIES);
  const db = createDb(database.url);
  const profile = process.env.BENCH_WORKER_PROFILE
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_WORKER_PROFILE}`]
    : [];
  const worker = spawn(process.execPath, [...profile, "apps/worker/dist/main.js"], {
    env: { ...process.env, ...env, HOOKYARD_WORKER_CONCURRENCY: "100" },
    stdio: "ignore",
  });
  const started = performance.now();
  await waitFor(async () => (await db.delivery.count({ where: { status: "succeeded" } })) >= DELIVERIES, {
    timeoutMs: 300_000,
    intervalMs: 200,
    what: "all deliveries",
  });
  const seconds = (performance.now() - started) / 1000;
  const rss = await run("ps", ["-o", "rss=", "-p", String(worker.pid)]).then((r) => Number(r.stdout.trim()) / 1024);
  worker.kill("SIGTERM");
  await new Promise((r) => worker.once("exit", r));
  const attempts = await db.deliveryAttempt.count();
  await db.$disconnect();
  await api2.close();
  sink.close();

  console.log(`delivery: ${DELIVERIES} TAG_PUSH events, one webhook, one worker process (concurrency 100)`);
  console.log(
    `${"ingest -> fan-out -> POST -> attempt row".padEnd(34)} ${(DELIVERIES / seconds).toFixed(0).padStart(8)} deliveries/s   (${seconds.toFixed(1)} s incl. worker start; ${attempts} attempt rows; worker RSS ${rss.toFixed(0)} MB)`,
  );
} finally {
  await deleteQueueKeys(config.redisUrl, config.queuePrefix);
  await database.drop();
}
