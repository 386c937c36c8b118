import { type Config, StartupError } from "@hookyard/config";
import { createDb, type Db } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { createQueues, createRedis, evictionProblem, QUEUE, readRedisMemory } from "@hookyard/queues";
import { createHttpTransport } from "@hookyard/transport";
import { Worker, type WorkerOptions } from "bullmq";
import { type MetricsServer, startMetricsServer } from "./metrics-server.js";
import { deliveriesProcessor, scheduleBackoff } from "./processors/deliveries.js";
import { eventsProcessor } from "./processors/events.js";
import { createBatchedStore } from "./services/batched-store.js";
import { startChainSweeper } from "./services/chain-sweeper.js";
import { throttleFanOut } from "./services/fan-out-throttle.js";
import { intakeOf } from "./services/intake.js";
import { startReconciler } from "./services/reconciler.js";
import { createStoreGate } from "./services/store-gate.js";
import { createSuccessClock } from "./services/success-clock.js";

export interface WorkerHandle {
  close(): Promise<void>;
}

/** Starts the event fan-out and delivery workers of one process. */
export async function startWorker(config: Config, logger: Logger): Promise<WorkerHandle> {
  const db = createDb(config.databaseUrl, { poolSize: Math.min(config.workerConcurrency, 20) });
  const connection = createRedis(config.redisUrl, "worker");
  // ioredis reconnects by itself; without a listener it would also print every failed attempt.
  connection.on("error", (error) => logger.warn("redis connection error", { error: error.message }));
  const eviction = evictionProblem(await readRedisMemory(connection));
  if (eviction) {
    connection.disconnect();
    throw new StartupError(eviction);
  }
  const metricsServer = await startMetricsServerIfAsked(config, db, logger);
  const queues = createQueues(connection, config.queuePrefix);
  const transport = createHttpTransport({ allowPrivateTargets: config.allowPrivateTargets });
  const { maxAttempts } = config;
  const store = createBatchedStore(db, { maxAttempts });
  const successClock = createSuccessClock(db);
  const gate = createStoreGate(() => db.$queryRaw`SELECT 1`, logger);
  const storeWaitLimitMs = config.storeWaitMs;
  const chains = startChainSweeper(db, logger);

  const common: WorkerOptions = {
    connection,
    prefix: config.queuePrefix,
    lockDuration: config.jobLockMs,
    stalledInterval: config.jobLockMs,
    // A job whose worker died is taken over, not failed: at-least-once delivery.
    maxStalledCount: 100,
  };
  const events = new Worker(
    QUEUE.events,
    eventsProcessor({ store, deliveries: queues.deliveries, maxAttempts, gate, storeWaitLimitMs }, logger),
    { ...common, concurrency: 50 },
  );
  const deliveries = new Worker(
    QUEUE.deliveries,
    deliveriesProcessor(
      {
        db,
        store,
        transport,
        successClock,
        gate,
        storeWaitLimitMs,
        retrySchedule: config.retrySchedule,
        deliveryTimeoutMs: config.deliveryTimeoutMs,
        callbacks: { publicUrl: config.publicUrl, ttlMs: config.callbackTtlMs },
        chains,
      },
      logger,
    ),
    { ...common, concurrency: config.workerConcurrency, settings: { backoffStrategy: scheduleBackoff } },
  );
  const eventsIntake = intakeOf(events);
  gate.attach([eventsIntake, intakeOf(deliveries)]);
  const throttle = throttleFanOut(connection, queues, eventsIntake, config.queueMemoryHighWater, logger);
  for (const worker of [events, deliveries]) {
    worker.on("error", (error) => {
      // BullMQ cannot renew the lock of a job that moved on meanwhile (one the processor put back
      // to wait for Postgres); a lock lost to a slow event loop shows the same way and is worth a look.
      if (error.message.startsWith("could not renew lock")) {
        logger.warn("job lock not renewed", { queue: worker.name, reason: error.message });
        return;
      }
      // A job finished after its lock lapsed (the process was too busy to renew it, seen with 1 s
      // locks on a loaded 2-core machine): BullMQ may run it again, which finds its delivery booked
      // or pending as Postgres says, so nothing is sent twice; worth a look, not an alarm.
      if (error.message.startsWith("Missing lock for job")) {
        logger.warn("job finished after its lock lapsed", { queue: worker.name, reason: error.message });
        return;
      }
      logger.error("worker error", { queue: worker.name, error });
    });
    worker.on("failed", (job, error) => {
      // A retry is routine, and a dead-lettered job has said why already (processors/dead-letter.ts).
      if (error.name === "RetryLaterError" || error.name === "UnrecoverableError") return;
      logger.error("job failed", { queue: worker.name, jobId: job?.id, error });
    });
  }
  await Promise.all([events.waitUntilReady(), deliveries.waitUntilReady()]);

  const reconciler = startReconciler({
    db,
    redis: connection,
    queues,
    maxAttempts,
    intervalMs: config.reconcileIntervalMs,
    autoDisable: { failures: config.autoDisableFailures, afterMs: config.autoDisableAfterMs },
    logger,
  });
  logger.info("worker started", { concurrency: config.workerConcurrency, queuePrefix: config.queuePrefix });

  return {
    async close() {
      // Let jobs in flight finish (their attempts get booked) before the connections go.
      await metricsServer?.close();
      await reconciler.close();
      await chains.close();
      throttle.close();
      await Promise.all([events.close(), deliveries.close()]);
      gate.close();
      await successClock.close();
      await transport.close();
      await queues.close();
      await db.$disconnect();
      connection.disconnect();
    },
  };
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
