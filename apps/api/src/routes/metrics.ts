import { reconcilerKey } from "@hookyard/queues";
import { Router } from "express";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { ApiDeps } from "../deps.js";
import { unavailable } from "../http/api-error.js";
import { requireAdmin, requireUser } from "../http/authenticate.js";

const STATES = ["waiting", "prioritized", "active", "delayed", "failed"] as const;

/**
 * Prometheus metrics, for global admins (a bearer token in the scrape config). Queue depths are read
 * from Redis at scrape time, so every API replica reports the same, whichever worker did the work.
 * `failed` is the dead letter: jobs that will not be tried again, each listed with its reason in
 * Bull Board.
 */
export function metricsRoutes({ db, redis, queues }: ApiDeps): Router {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "hookyard_api_" });
  new Gauge({
    name: "hookyard_queue_jobs",
    help: "Jobs in each queue by state; state=failed is the dead letter (Bull Board shows each reason)",
    labelNames: ["queue", "state"],
    registers: [registry],
    async collect() {
      for (const queue of [queues.events, queues.deliveries]) {
        const counts = await queue.getJobCounts(...STATES);
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
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

  const router = Router();
  router.get("/metrics", requireUser(db), requireAdmin, async (_req, res) => {
    let text: string;
    try {
      text = await registry.metrics();
    } catch {
      throw unavailable("the queue store (Redis) is unavailable; metrics cannot be read");
    }
    res.type(registry.contentType).send(text);
  });
  return router;
}
