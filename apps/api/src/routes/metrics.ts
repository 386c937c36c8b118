import { CHAIN_RUN_STATES } from "@hookyard/core";
import { queueLabel, reconcilerKey } from "@hookyard/queues";
import { type RequestHandler, Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { ApiDeps } from "../deps.js";
import { ApiError, unavailable } from "../http/api-error.js";
import { requireAdmin, requireUser } from "../http/authenticate.js";
import { INTERNAL_ERROR_BODY } from "../http/error-handler.js";
import { requestIdOf } from "../http/request-context.js";
import { storesAway } from "../http/stores-away.js";
import { chainRunMoves } from "../services/chain-moves.js";
import { eventsDuplicate, eventsIngested } from "../services/ingest-metrics.js";

const STATES = ["waiting", "prioritized", "active", "delayed", "failed"] as const;
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
  registry.registerMetric(chainRunMoves);
  new Gauge({
    name: "hookyard_queue_jobs",
    help: "Jobs in each queue by state (each delivery shard a queue: deliveries, deliveries-1, ...); state=failed is the dead letter (Bull Board shows each reason)",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      for (const queue of [queues.events, ...queues.deliveryShards]) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: queueLabel(queue.name), state }, counts[state] ?? 0);
      }
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
