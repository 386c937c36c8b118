import { OPERATIONAL_EVENT_TYPES } from "@hookyard/core";
import type { PruneCounts } from "@hookyard/db";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * What this worker process did, for Prometheus (served by metrics-server.ts). One registry per
 * process: Prometheus scrapes each worker on its own and sums across them. Process metrics are
 * prefixed `hookyard_worker_` (the API's are `hookyard_api_`), so the two never share a series.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "hookyard_worker_" });

export type DeliveryOutcomeKind = "succeeded" | "failed" | "retry" | "skipped";

const deliveries = new Counter({
  name: "hookyard_deliveries_total",
  help: "Delivery runs (a first attempt made by fan-out, or a delivery job) by outcome: succeeded, failed (no attempt follows), retry (another attempt is scheduled), skipped (nothing sent)",
  labelNames: ["outcome"],
  registers: [registry],
});

const attemptDuration = new Histogram({
  name: "hookyard_delivery_attempt_duration_seconds",
  help: "Time of each booked delivery attempt, from sending to the receiver's whole answer; result is the status class, or error when no answer came",
  labelNames: ["result"],
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const deferred = new Counter({
  name: "hookyard_deliveries_held_back_total",
  help: "Delivery attempts deferred, without spending one: their webhook had HOOKYARD_WEBHOOK_CONCURRENCY in flight in this process, or its lane (slow, unknown) was full, or fan-out queued a slow webhook's delivery for later",
  registers: [registry],
});

const rateLimited = new Counter({
  name: "hookyard_rate_limited_total",
  help: "Delivery attempts deferred, without spending one, by reason: rate-limit (the webhook's rateLimit had its window full), retry-after (its receiver answered 429 with Retry-After, which holds the webhook)",
  labelNames: ["reason"],
  registers: [registry],
});

type Lanes = { counts(now: number): Record<"fast" | "slow" | "unknown", number> };
/** The admission whose lanes the gauge reads (the one worker of this process). */
let watched: Lanes | null = null;

new Gauge({
  name: "hookyard_attempts_in_flight",
  help: "Delivery attempts in flight in this worker by lane: fast, slow (answers slowly or not at all; capped together), unknown (not heard from yet; capped together)",
  labelNames: ["lane"],
  registers: [registry],
  collect() {
    const counts = watched?.counts(performance.now());
    for (const lane of ["fast", "slow", "unknown"] as const) this.set({ lane }, counts?.[lane] ?? 0);
  },
});

/** Has the lanes gauge read this admission's attempts in flight when Prometheus scrapes. */
export function watchLanes(admission: Lanes): void {
  watched = admission;
}
const storeWaits = new Counter({
  name: "hookyard_store_waits_total",
  help: "Jobs this worker put back to wait for Postgres, which was away (HOOKYARD_STORE_WAIT bounds how long a job waits in all), by queue",
  labelNames: ["queue"],
  registers: [registry],
});

/** Whether the store gate this process watches has found Postgres away. */
let storeAway: () => boolean = () => false;

new Gauge({
  name: "hookyard_store_available",
  help: "1 while this worker reaches Postgres; 0 while it has found Postgres away and paused its job intake until a probe answers",
  registers: [registry],
  collect() {
    this.set(storeAway() ? 0 : 1);
  },
});

/** Has hookyard_store_available read this gate when Prometheus scrapes. */
export function watchStore(gate: { isAway(): boolean }): void {
  storeAway = () => gate.isAway();
}

const webhooksDisabled = new Counter({
  name: "hookyard_webhooks_disabled_total",
  help: "Webhooks this worker disabled: reason=gone (the receiver answered 410), reason=failing (its deliveries kept failing)",
  labelNames: ["reason"],
  registers: [registry],
});

const fanOutEvents = new Counter({
  name: "hookyard_fanout_events_total",
  help: "Events fanned out: stored, and their deliveries sent at once or queued",
  registers: [registry],
});

const fanOutDeliveries = new Counter({
  name: "hookyard_fanout_deliveries_total",
  help: "Deliveries fan-out found for the events it fanned out: sent at once, or queued",
  registers: [registry],
});

const chainRuns = new Counter({
  name: "hookyard_chain_runs_total",
  help: "Chain runs this process moved: started (by fan-out), interrupted or expired (a step's delivery failed, its webhook was deleted or disabled, or no callback came in time)",
  labelNames: ["state"],
  registers: [registry],
});

const pruned = new Counter({
  name: "hookyard_pruned_rows_total",
  help: "Rows retention removed: chain_runs, deliveries (with their attempts and callbacks), events, sessions, operational_events (published); attempts_trimmed: attempts whose headers and bodies were emptied",
  labelNames: ["kind"],
  registers: [registry],
});

const operationalEvents = new Counter({
  name: "hookyard_operational_events_total",
  help: "Hookyard's own events this worker queued, by type: WEBHOOK_DISABLED, WEBHOOK_ENABLED, DELIVERY_EXHAUSTED, CHAIN_RUN_ENDED",
  labelNames: ["type"],
  registers: [registry],
});

// Every label value shows from the first scrape, at 0, so that rate() and absent() behave.
for (const outcome of ["succeeded", "failed", "retry", "skipped"]) deliveries.inc({ outcome }, 0);
for (const reason of ["gone", "failing"]) webhooksDisabled.inc({ reason }, 0);
for (const queue of ["events", "deliveries"]) storeWaits.inc({ queue }, 0);
for (const state of ["started", "interrupted", "expired"]) chainRuns.inc({ state }, 0);
for (const kind of ["chain_runs", "deliveries", "events", "attempts_trimmed", "sessions", "operational_events"]) {
  pruned.inc({ kind }, 0);
}
for (const type of OPERATIONAL_EVENT_TYPES) operationalEvents.inc({ type }, 0);
for (const result of ["2xx", "3xx", "4xx", "5xx", "error"]) attemptDuration.zero({ result });

/** 2xx, 3xx, 4xx, 5xx; error when no answer came (refused, timed out, not sent). */
function resultOf(statusCode: number | null): string {
  return statusCode === null ? "error" : `${Math.floor(statusCode / 100)}xx`;
}

/** The counting calls the processors and services make where an outcome is known. */
export const metrics = {
  /** A delivery job run ended; with the attempt it booked, if it sent one. */
  delivery(
    outcome: DeliveryOutcomeKind,
    attempt?: { durationMs: number; statusCode: number | null; disableWebhook: string | null },
  ): void {
    deliveries.inc({ outcome });
    // A booking that found the delivery deleted meanwhile books nothing: it is not an attempt made.
    if (!attempt || outcome === "skipped") return;
    attemptDuration.observe({ result: resultOf(attempt.statusCode) }, attempt.durationMs / 1000);
    if (attempt.disableWebhook) webhooksDisabled.inc({ reason: "gone" });
  },
  storeWait(queue: string): void {
    storeWaits.inc({ queue });
  },
  rateLimited(reason: "rate-limit" | "retry-after"): void {
    rateLimited.inc({ reason });
  },
  deferred(count: number): void {
    if (count > 0) deferred.inc(count);
  },
  webhookDisabled(reason: "gone" | "failing"): void {
    webhooksDisabled.inc({ reason });
  },
  fannedOut(deliveryCount: number, chainRunsStarted: number): void {
    fanOutEvents.inc();
    fanOutDeliveries.inc(deliveryCount);
    chainRuns.inc({ state: "started" }, chainRunsStarted);
  },
  chainRun(state: "interrupted" | "expired"): void {
    chainRuns.inc({ state });
  },
  operationalEvent(type: string): void {
    operationalEvents.inc({ type });
  },
  pruned(counts: PruneCounts): void {
    pruned.inc({ kind: "chain_runs" }, counts.chainRuns);
    pruned.inc({ kind: "deliveries" }, counts.deliveries);
    pruned.inc({ kind: "events" }, counts.events);
    pruned.inc({ kind: "attempts_trimmed" }, counts.attemptsTrimmed);
    pruned.inc({ kind: "sessions" }, counts.sessions);
    pruned.inc({ kind: "operational_events" }, counts.operationalEvents);
  },
};
