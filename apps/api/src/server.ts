import { createServer, type Server } from "node:http";
import { type Config, StartupError } from "@hookyard/config";
import { createDb, missingEncryptionKeysProblem } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { connectRedis, createQueues, evictionProblem, type RedisConnection, readRedisMemory } from "@hookyard/queues";
import { createHttpTransport } from "@hookyard/transport";
import { createApp } from "./app.js";
import { bootstrapAdmin } from "./bootstrap-admin.js";
import { createAuthFailureLimiter } from "./http/auth-limiter.js";
import { ingestTokenMatcher } from "./http/authenticate.js";
import { createIngestHandler } from "./http/ingest-handler.js";
import { INGEST_ROUTES } from "./routes/ingest.js";
import { watchBackpressure } from "./services/backpressure.js";
import { createEventEnqueuer } from "./services/event-enqueuer.js";
import { ENQUEUE_DEADLINE_MS, STORE_DEADLINE_MS, STORE_RETRY_MS } from "./services/ingest.js";
import { within } from "./services/within.js";

export interface ApiHandle {
  port: number;
  close(): Promise<void>;
}

/** A quarter of the request timeout, from 100 ms to 1 s: late by at most that, at the cost of one
 * walk over the open connections each time. */
function connectionsCheckingInterval(requestTimeoutMs: number): number {
  return Math.min(1_000, Math.max(100, Math.floor(requestTimeoutMs / 4)));
}

/** An evicting Redis would delete accepted events: refuse to start on one. A Redis that is down
 * now is let be (ingest answers 503 until it is up, and the backpressure poll checks it then). */
async function refuseEvictingRedis(redis: RedisConnection): Promise<void> {
  const ready = new Promise<void>((resolve) => (redis.status === "ready" ? resolve() : redis.once("ready", resolve)));
  const memory = await within(2_000, ready, "Redis did not answer")
    .then(() => readRedisMemory(redis))
    .catch(() => null);
  const problem = memory && evictionProblem(memory);
  if (problem) {
    redis.disconnect();
    throw new StartupError(problem);
  }
}

export async function startApi(config: Config, logger: Logger): Promise<ApiHandle> {
  const db = createDb(config.databaseUrl, { encryptionKeys: config.encryptionKeys });
  const redis = connectRedis(config, "producer");
  redis.on("error", (error) => logger.warn("redis connection error", { error: error.message }));
  // A cluster client reports each node's connection errors apart (a master dying, say).
  redis.on("node error", (error: Error, node: string) =>
    logger.warn("redis cluster node error", { node, error: error.message }),
  );
  const queues = createQueues(redis, config.queuePrefix, config.deliveryShards);
  await refuseEvictingRedis(redis);
  await bootstrapAdmin(db, config.adminToken, logger);
  // A key taken out of HOOKYARD_ENCRYPTION_KEYS too early: refused here, while the processes that
  // still have it keep running (decision 0013).
  const keysProblem = await missingEncryptionKeysProblem(db);
  if (keysProblem) {
    redis.disconnect();
    await db.$disconnect();
    throw new StartupError(keysProblem);
  }

  const enqueuer = createEventEnqueuer(
    db,
    queues,
    {
      deadlineMs: ENQUEUE_DEADLINE_MS,
      storeDeadlineMs: STORE_DEADLINE_MS,
      storeRetryMs: STORE_RETRY_MS,
      dedupWindowMs: config.dedupWindowMs,
    },
    logger,
  );
  // Few connections: the API sends only the tests people ask for.
  const transport = createHttpTransport({
    allowPrivateTargets: config.allowPrivateTargets,
    connections: 4,
    proxy: config.egressProxy,
  });
  const authLimiter = createAuthFailureLimiter({
    limit: config.authFailureLimit,
    windowMs: config.authFailureWindowMs,
    logger,
  });
  const app = createApp({ config, db, redis, queues, logger, transport, authLimiter });
  const backpressure = watchBackpressure(
    redis,
    queues,
    { memoryHighWater: config.queueMemoryHighWater, maxBacklog: config.queueMaxBacklog },
    logger,
  );
  const handleIngest = createIngestHandler(INGEST_ROUTES, {
    enqueuer,
    backpressure,
    isIngestToken: ingestTokenMatcher(config.ingestTokens),
    authLimiter,
    logger,
  });
  const server: Server = createServer(
    {
      // A client that promises a body (or headers) and stalls would otherwise hold a connection
      // and its parser for minutes; Node answers 408 and closes once this has passed.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      // Node looks for expired requests only this often (30 s by default, longer than the timeout).
      connectionsCheckingInterval: connectionsCheckingInterval(config.requestTimeoutMs),
    },
    (req, res) => {
      if (!handleIngest(req, res)) app(req, res);
    },
  );
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  // Registries keep connections open; do not let an idle one hold shutdown up.
  server.keepAliveTimeout = 5_000;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info("api listening", { port, publicUrl: config.publicUrl });

  return {
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      backpressure.close();
      await transport.close();
      await queues.close();
      redis.disconnect();
      await db.$disconnect();
    },
  };
}
