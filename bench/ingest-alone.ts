// One ingest load run against one server, for profiling that server alone:
//   node [--cpu-prof --cpu-prof-dir=DIR] --import tsx bench/ingest-alone.ts bare|hookyard [seconds]
// The server runs in this process (as in bench/run.ts), the load (bench/load.ts) in a child of its
// own, so a --cpu-prof profile holds the server's work only. Prints the load's figures and the CPU
// microseconds this process spent per request.
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { startApi } from "@hookyard/api";
import { loadConfig } from "@hookyard/config";
import { createLogger } from "@hookyard/logger";
import { createTestDatabase, deleteQueueKeys, prepareTemplateDatabase } from "@hookyard/testkit";
import express from "express";
import { cpuOf, cpuSeconds, ENCRYPTION_KEYS, INGEST } from "./rig.js";

const run = promisify(execFile);
const [mode = "hookyard", seconds = "10"] = process.argv.slice(2);

/** CPU microseconds per request of this process (the server), autocannon's, Postgres's and Redis's. */
async function load(url: string) {
  const before = { server: process.cpuUsage(), postgres: await cpuOf("postgres"), redis: await cpuOf("redis-server") };
  const child = run(process.execPath, ["--import", "tsx", "bench/load.ts", url, INGEST, "50", seconds], {
    maxBuffer: 1 << 20,
  });
  const pid = child.child.pid as number;
  let loadCpu = 0;
  const sampling = setInterval(async () => {
    loadCpu = Math.max(loadCpu, await cpuSeconds(pid));
  }, 200);
  const { stdout } = await child;
  clearInterval(sampling);
  const server = process.cpuUsage(before.server);
  const result = JSON.parse(stdout) as { total: number };
  const perRequest = (seconds: number) => Math.round((seconds * 1e6) / result.total);
  return {
    ...result,
    cpuMicrosPerRequest: {
      server: perRequest((server.user + server.system) / 1e6),
      load: perRequest(loadCpu),
      postgres: perRequest((await cpuOf("postgres")) - before.postgres),
      redis: perRequest((await cpuOf("redis-server")) - before.redis),
    },
  };
}

if (mode === "bare") {
  const bare = express();
  bare.post("/ingest", express.json({ type: () => true, limit: "1mb" }), (_req, res) => {
    res.status(202).json({ accepted: 1, duplicates: 0, ignored: 0 });
  });
  const server = await new Promise<ReturnType<typeof bare.listen>>((resolve) => {
    const s = bare.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ mode, ...(await load(`http://127.0.0.1:${port}/ingest`)) }));
  server.close();
} else {
  await prepareTemplateDatabase();
  const database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: "0",
    HOOKYARD_ADMIN_TOKEN: "bench-admin-token-0123456789",
    HOOKYARD_INGEST_TOKENS: INGEST,
    HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
    HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
    HOOKYARD_QUEUE_PREFIX: `hy-bench-${process.pid}`,
    LOG_LEVEL: "warn",
  });
  const logger = createLogger({ service: "bench", level: "warn" });
  try {
    const api = await startApi(config, logger);
    console.log(JSON.stringify({ mode, ...(await load(`http://127.0.0.1:${api.port}/api/v1/ingest/distribution`)) }));
    await api.close();
  } finally {
    await deleteQueueKeys(config.redisUrl, config.queuePrefix);
    await database.drop();
  }
}
