import { CHAIN_RUN_STATES } from "@hookyard/core";
import { queueLabel, type RedisMemory, readRedisMemory, reconcilerKey } from "@hookyard/queues";
import { type RequestHandler, Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { ApiDeps } from "../deps.js";
import { ApiError, unavailable } from "../http/api-error.js";
import { requireAdmin, requireUser } from "../http/authenticate.js";
import { INTERNAL_ERROR_BODY } from "../http/error-handler.js";
import { requestIdOf } from "../http/request-context.js";
import { storesAway } from "../http/stores-away.js";
import { chainRunMoves } from "../services/chain-moves.js";
import { eventsDuplicate, eventsIngested, ingestRefused } from "../services/ingest-metrics.js";
import { QUEUE_STATES, readQueueDepths } from "../services/queue-depths.js";

const WEBHOOK_STATES = ["enabled", "disabled", "deleted"] as const;
/** callbacks.state; NULL (no answer yet) is shown as pending. */
const CALLBACK_STATES = ["pending", "success", "failure", "error"] as const;

/**
 * Prometheus metrics, for global admins (a bearer token in the scrape config), or for anyone with
 * HOOKYARD_METRICS_PUBLIC. Queue depths, webhooks and callbacks are read from Redis and Postgres at
 * scrape time, so every API replica reports the same, whichever worker did the work; ingest counts
 * are this process's own. `failed` is the dead letter: jobs that will not be tried again, each
 * listed with its reason in Bull Board. The workers serve their own counters (apps/worker metrics).
 */
export function metricsRoutes(deps: ApiDeps): Router {
  const { config, db, redis, queues, logger } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "hookyard_api_" });
  registry.registerMetric(eventsIngested);
  registry.registerMetric(eventsDuplicate);
  registry.registerMetric(ingestRefused);
  registry.registerMetric(chainRunMoves);
  new Gauge({
    name: "hookyard_queue_jobs",
    help: "Jobs in each queue by state (each delivery shard a queue: deliveries, deliveries-1, ...); state=failed is the dead letter (Bull Board shows each reason)",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      for (const depth of await readQueueDepths(queues)) {
        for (const state of QUEUE_STATES) this.set({ queue: depth.queue, state }, depth[state]);
      }
    },
  });

  new Gauge({
    name: "hookyard_queue_oldest_waiting_seconds",
    help: "Age of the oldest job waiting to be taken in each queue (0 when none waits); delayed jobs (retries, deferred attempts) are not waiting",
    labelNames: ["queue"],
    registers: [registry],
    async collect() {
      const now = Date.now();
      for (const queue of [queues.events, ...queues.deliveryShards]) {
        // BullMQ pushes new jobs at the head of the wait list: its tail is the oldest.
        const [oldest] = await queue.getWaiting(-1, -1);
        this.set({ queue: queueLabel(queue.name) }, oldest ? Math.max(0, (now - oldest.timestamp) / 1000) : 0);
      }
    },
  });

  // Redis's memory as ingest and fan-out judge it (packages/queues redis-memory.ts): in a cluster,
  // the master nearest its limit. Past the high-water mark ingest answers 503. The two gauges are
  // collected at once (prom-client collects a registry's metrics concurrently): one read serves both.
  let memoryRead: { at: number; memory: Promise<RedisMemory> } | null = null;
  const redisMemory = () => {
    if (!memoryRead || Date.now() - memoryRead.at > 1_000) {
      memoryRead = { at: Date.now(), memory: readRedisMemory(redis) };
    }
    return memoryRead.memory;
  };
  new Gauge({
    name: "hookyard_redis_memory_used_bytes",
    help: "Memory Redis uses (INFO used_memory); in a Redis Cluster, of the master nearest its maxmemory",
    registers: [registry],
    async collect() {
      this.set((await redisMemory()).usedBytes);
    },
  });
  new Gauge({
    name: "hookyard_redis_memory_max_bytes",
    help: "Redis's maxmemory (0: no limit), of the same Redis or master as hookyard_redis_memory_used_bytes",
    registers: [registry],
    async collect() {
      this.set((await redisMemory()).maxBytes);
    },
  });
  new Gauge({
    name: "hookyard_redis_memory_high_water_ratio",
    help: "HOOKYARD_QUEUE_MEMORY_HIGH_WATER: the share of maxmemory past which ingest answers 503 and fan-out slows",
    registers: [registry],
    collect() {
      this.set(config.queueMemoryHighWater);
    },
  });

  new Counter({
    name: "hookyard_reconciler_repaired_total",
    help: "Deliveries and events the reconciler queued again because the queue had lost them",
    labelNames: ["kind"],
    registers: [registry],
    async collect() {
      const counts = await redis.hgetall(reconcilerKey(queues, "repaired"));
      this.reset();
      for (const kind of ["deliveries", "events"]) this.inc({ kind }, Number(counts[kind] ?? 0));
    },
  });

  new Gauge({
    name: "hookyard_webhooks",
    help: "Webhooks by state: enabled, disabled (paused, or by a 410 Gone or failing deliveries), deleted (kept for their history)",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const rows = await db.$queryRaw<Array<{ state: string; n: number }>>`
        SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted' WHEN enabled THEN 'enabled' ELSE 'disabled' END AS state,
               count(*)::int AS n
        FROM webhooks GROUP BY 1`;
      for (const state of WEBHOOK_STATES) this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
    },
  });

  new Gauge({
    name: "hookyard_callbacks",
    help: "Callbacks of dockerhub-format deliveries by state: pending (not answered yet), success, failure, error",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const rows = await db.$queryRaw<Array<{ state: string; n: number }>>`
        SELECT coalesce(state::text, 'pending') AS state, count(*)::int AS n FROM callbacks GROUP BY 1`;
      for (const state of CALLBACK_STATES) this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
    },
  });

  new Gauge({
    name: "hookyard_chain_runs",
    help: "Chain runs by state: running, completed, interrupted, expired",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      const rows = await db.$queryRaw<Array<{ state: string; n: number }>>`
        SELECT state::text AS state, count(*)::int AS n FROM chain_runs GROUP BY 1`;
      for (const state of CHAIN_RUN_STATES) this.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
    },
  });

  const guard: RequestHandler[] = config.metricsPublic ? [] : [requireUser(deps), requireAdmin];
  const router = Router();
  router.get("/metrics", ...guard, async (_req, res) => {
    let text: string;
    try {
      text = await registry.metrics();
    } catch (error) {
      // Only an outage is the 503 a scraper retries; anything else is a fault of ours, logged, a 500.
      if (storesAway(error)) {
        logger.warn("metrics cannot be read: Redis or Postgres is away", { error: (error as Error).message });
        throw unavailable("the queue store (Redis) or the database (Postgres) is unavailable; metrics cannot be read");
      }
      logger.error("metrics could not be collected", { requestId: requestIdOf(res), error });
      throw new ApiError(500, INTERNAL_ERROR_BODY.error.code, INTERNAL_ERROR_BODY.error.message);
    }
    res.type(registry.contentType).send(text);
  });
  return router;
}
