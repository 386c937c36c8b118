// pnpm bench: Hookyard's speed on this machine, each figure beside a baseline measured in the
// same run. Ingest: single-event Distribution envelopes at 50 connections against a bare Express
// route that only parses and answers 202. Delivery scenarios (bench/delivery.ts): events through
// the API, fan-out, the worker and POSTs to a loopback receiver, end to end. Matching: one event's webhooks among 100,000 beside a primary-key
// read (bench/matching.ts).
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { startApi } from "@hookyard/api";
import { loadConfig } from "@hookyard/config";
import { createLogger } from "@hookyard/logger";
import { createTestDatabase, deleteQueueKeys, prepareTemplateDatabase } from "@hookyard/testkit";
import express from "express";
import {
  benchCrash,
  benchFanOut,
  benchIsolation,
  benchLatency,
  benchRateLimits,
  benchThroughput,
  benchTwoWorkers,
} from "./delivery.js";
import { benchFairness } from "./fairness.js";
import { benchMatching } from "./matching.js";
import { benchPrune } from "./prune.js";
import { ENCRYPTION_KEYS } from "./rig.js";
import { benchSecrets } from "./secrets.js";
import { benchSoak } from "./soak.js";
import { benchTracing } from "./tracing.js";

const run = promisify(execFile);
const SECONDS = process.env.BENCH_SECONDS ?? "10";
const CONNECTIONS = "50";
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
    `ratio to baseline: ${(ingest.requestsPerSecond / baseline.requestsPerSecond).toFixed(2)} (target >= 0.9)\n`,
  );
}

await prepareTemplateDatabase();
const database = await createTestDatabase();
const env = {
  DATABASE_URL: database.url,
  PORT: "0",
  HOOKYARD_ADMIN_TOKEN: ADMIN,
  HOOKYARD_INGEST_TOKENS: INGEST,
  HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
  HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
  HOOKYARD_QUEUE_PREFIX: `hy-bench-${process.pid}`,
  LOG_LEVEL: "warn",
};
const config = loadConfig(env);
const logger = createLogger({ service: "bench", level: "warn" });

try {
  console.log(`Hookyard benchmarks (${new Date().toISOString()}, node ${process.version}, ${SECONDS}s runs)\n`);

  // `pnpm bench <section>` (or BENCH_ONLY=<section>) runs that section alone: ingest, throughput,
  // latency, fanout, isolation, fairness, two-workers, crash, rate-limits, tracing, matching, secrets, or, only when named, prune (5 million rows; minutes) and soak (10 minutes; BENCH_SOAK_MINUTES).
  const only = process.argv[2] ?? process.env.BENCH_ONLY;
  const runs = (section: string) => (only ? only === section : section !== "prune" && section !== "soak");

  // --- ingest
  if (runs("ingest")) await benchIngest();

  // --- delivery (bench/delivery.ts): throughput beside its baselines, latency, fan-out, isolation,
  // two workers; each end to end through API and worker processes to a loopback receiver
  if (runs("throughput")) await benchThroughput();
  if (runs("rate-limits")) await benchRateLimits();
  if (runs("latency")) await benchLatency();
  if (runs("fanout")) await benchFanOut();
  if (runs("isolation")) await benchIsolation();
  if (runs("fairness")) await benchFairness();
  if (runs("two-workers")) await benchTwoWorkers();
  if (runs("crash")) await benchCrash();
  // --- tracing: the throughput run with OpenTelemetry off, then on (decision 0016)
  if (runs("tracing")) await benchTracing();

  // --- matching: one event's webhooks among 100,000, beside a primary-key read
  if (runs("matching")) await benchMatching();

  // --- secrets at rest: what opening a webhook's encrypted secrets costs a delivery (decision 0013)
  if (runs("secrets")) await benchSecrets();

  // --- retention: batched deletes of 5 million attempt rows against partition drops (decision 0007)
  if (runs("prune")) await benchPrune();

  // --- soak: steady ingest with retention in minutes; what must level off, minute by minute
  if (runs("soak")) await benchSoak();
} finally {
  await deleteQueueKeys(config.redisUrl, config.queuePrefix);
  await database.drop();
}
