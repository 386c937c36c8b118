import { type Config, StartupError } from "@hookyard/config";
import { Admission, laneCaps } from "@hookyard/core";
import { classifyStoreError, createDb, type Db, missingEncryptionKeysProblem } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import {
  connectRedis,
  createQueues,
  type DeliveryJob,
  type EventJob,
  evictionProblem,
  queueLabel,
  readRedisMemory,
} from "@hookyard/queues";
import { createHttpTransport } from "@hookyard/transport";
import { UnrecoverableError, Worker, type WorkerOptions } from "bullmq";
import { watchLanes, watchStore } from "./metrics.js";
import { type MetricsServer, startMetricsServer } from "./metrics-server.js";
import { startPeriodicServices } from "./periodic-services.js";
import { deliveriesProcessor } from "./processors/deliveries.js";
import { eventsProcessor } from "./processors/events.js";
import { createBatchedStore } from "./services/batched-store.js";
import { startChainSweeper } from "./services/chain-sweeper.js";
import { createDispatch } from "./services/dispatch.js";
import { createFanOut } from "./services/fan-out.js";
import { throttleFanOut } from "./services/fan-out-throttle.js";
import { intakeOf } from "./services/intake.js";
import { createRateLimiter } from "./services/rate-limiter.js";
import { createStoreGate } from "./services/store-gate.js";
import { createSuccessClock } from "./services/success-clock.js";

export interface WorkerHandle {
  close(): Promise<void>;
}

/** Starts the event fan-out and delivery workers of one process. */
export async function startWorker(config: Config, logger: Logger): Promise<WorkerHandle> {
  const db = createDb(config.databaseUrl, {
    poolSize: Math.min(config.workerConcurrency, 20),
    encryptionKeys: config.encryptionKeys,
  });
  const connection = connectRedis(config, "worker");
  // ioredis reconnects by itself; without a listener it would also print every failed attempt.
  connection.on("error", (error) => logger.warn("redis connection error", { error: error.message }));
  connection.on("node error", (error: Error, node: string) =>
    logger.warn("redis cluster node error", { node, error: error.message }),
  );
  const eviction = evictionProblem(await readRedisMemory(connection));
  if (eviction) {
    connection.disconnect();
    throw new StartupError(eviction);
  }
  await refuseMissingEncryptionKeys(db, connection, logger);
  const metricsServer = await startMetricsServerIfAsked(config, db, logger);
  const queues = createQueues(connection, config.queuePrefix, config.deliveryShards);
  const transport = createHttpTransport({ allowPrivateTargets: config.allowPrivateTargets, proxy: config.egressProxy });
  const successClock = createSuccessClock(db);
  const gate = createStoreGate(() => db.$queryRaw`SELECT 1`, logger);
  const chains = startChainSweeper(db, logger);
  const admission = new Admission({
    perWebhook: config.webhookConcurrency,
    ...laneCaps(config.workerConcurrency),
    longestMs: config.deliveryTimeoutMs,
  });
  watchLanes(admission);
  watchStore(gate);
  const limiter = createRateLimiter(connection, {
    prefix: config.queuePrefix,
    longestMs: config.deliveryTimeoutMs,
    onError: (error) =>
      logger.warn("rate limit window not updated; it counts the request until it times out", { error }),
  });
  const attemptDeps = {
    db,
    store: createBatchedStore(db, { maxAttempts: config.maxAttempts }),
    gate,
    transport,
    successClock,
    retrySchedule: config.retrySchedule,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    templateLimits: config.templateLimits,
    callbacks: { publicUrl: config.publicUrl, ttlMs: config.callbackTtlMs },
    chains,
    limiter,
    logger,
  };
  const dispatch = createDispatch({ ...attemptDeps, queues, admission, limit: config.workerConcurrency });
  const storeWaitLimitMs = config.storeWaitMs;

  const common: WorkerOptions = {
    connection,
    prefix: config.queuePrefix,
    lockDuration: config.jobLockMs,
    stalledInterval: config.jobLockMs,
    // A job whose worker died is taken over, not failed: at-least-once delivery.
    maxStalledCount: 100,
  };
  const events = new Worker<EventJob>(
    queues.events.name,
    eventsProcessor({ fanOut: createFanOut(db, dispatch), dispatch, gate, storeWaitLimitMs }, logger),
    { ...common, concurrency: 50 },
  );
  const deliver = deliveriesProcessor({ ...attemptDeps, storeWaitLimitMs, admission }, logger);
  // One worker per delivery shard. HOOKYARD_WORKER_CONCURRENCY stays what one process has in
  // flight (its sockets, its share of Postgres), so it is split over the shards, rounded up; more
  // shards spread the queues over a cluster's masters, more worker processes add throughput.
  const perShard = Math.ceil(config.workerConcurrency / queues.deliveryShards.length);
  const deliveries = queues.deliveryShards.map(
    (queue) => new Worker<DeliveryJob>(queue.name, deliver, { ...common, concurrency: perShard }),
  );
  const eventsIntake = intakeOf(events);
  gate.attach([eventsIntake, ...deliveries.map(intakeOf)]);
  const throttle = throttleFanOut(connection, queues, eventsIntake, config.queueMemoryHighWater, logger);
  for (const worker of [events, ...deliveries]) {
    // BullMQ's own trouble (a lock it could not renew or found lapsed, Redis away a moment): it
    // recovers by itself, and a job whose lock lapsed is run again, which finds its delivery booked
    // or pending as Postgres says. What a processor throws is a job's failure, below.
    worker.on("error", (error) => logger.warn("queue worker trouble", { queue: queueLabel(worker.name), error }));
    worker.on("failed", (job, error) => {
      // A dead-lettered job has said why already (processors/dead-letter.ts).
      if (error instanceof UnrecoverableError) return;
      logger.error("job failed", { queue: queueLabel(worker.name), jobId: job?.id, error });
    });
  }
  await Promise.all([events, ...deliveries].map((worker) => worker.waitUntilReady()));

  const periodic = startPeriodicServices({ config, db, redis: connection, queues, logger });
  logger.info("worker started", {
    concurrency: config.workerConcurrency,
    webhookConcurrency: config.webhookConcurrency,
    deliveryShards: config.deliveryShards,
    redisCluster: config.redisCluster,
    queuePrefix: config.queuePrefix,
    egressProxy: config.egressProxy?.url ?? null,
  });

  return {
    async close() {
      // Let jobs in flight finish (their attempts get booked) before the connections go.
      await metricsServer?.close();
      await periodic.close();
      await chains.close();
      throttle.close();
      await Promise.all([events, ...deliveries].map((worker) => worker.close()));
      gate.close();
      await successClock.close();
      await transport.close();
      await queues.close();
      await db.$disconnect();
      connection.disconnect();
    },
  };
}

/**
 * A key taken out of HOOKYARD_ENCRYPTION_KEYS while secrets are still stored under it stops the
 * start (decision 0013). A Postgres that does not answer within 5 s is let be: the worker waits for
 * it anyway, and a delivery whose webhook's secret cannot be read fails, naming the key.
 */
async function refuseMissingEncryptionKeys(db: Db, connection: { disconnect(): void }, logger: Logger): Promise<void> {
  const late = new Promise<"late">((resolve) => setTimeout(resolve, 5_000, "late").unref());
  const problem = await Promise.race([missingEncryptionKeysProblem(db), late]).catch((error: unknown) => {
    if (classifyStoreError(error) !== "unavailable") throw error;
    return "late" as const;
  });
  if (problem === "late") {
    logger.warn("stored secrets' keys not checked: Postgres did not answer");
  } else if (problem) {
    connection.disconnect();
    await db.$disconnect();
    throw new StartupError(problem);
  }
}

/** HOOKYARD_WORKER_METRICS_PORT (0: none). A port already taken (a second worker on the same host)
 * is said in the log and the worker runs on without the server: delivering matters more. */
async function startMetricsServerIfAsked(config: Config, db: Db, logger: Logger): Promise<MetricsServer | null> {
  if (config.workerMetricsPort === 0) return null;
  try {
    const server = await startMetricsServer({
      port: config.workerMetricsPort,
      public: config.metricsPublic,
      db,
      logger,
    });
    logger.info("worker metrics listening", { port: server.port, public: config.metricsPublic });
    return server;
  } catch (error) {
    logger.warn("worker metrics server not started: set HOOKYARD_WORKER_METRICS_PORT to a free port, or 0", {
      port: config.workerMetricsPort,
      reason: (error as Error).message,
    });
    return null;
  }
}
