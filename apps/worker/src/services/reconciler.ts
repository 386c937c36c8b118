import type { AcceptedEvent } from "@hookyard/core";
import { type Db, eventsAwaitingFanOut, pendingDeliveries } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import {
  byDeliveryQueue,
  type Queues,
  queueDeliveries,
  queueEvents,
  type ReconcilerKey,
  type RedisConnection,
  reconcilerKey,
} from "@hookyard/queues";
import { Job, type Queue } from "bullmq";
import { every } from "./every.js";

export interface ReconcilerDeps {
  db: Db;
  redis: RedisConnection;
  queues: Queues;
  intervalMs: number;
  logger: Logger;
}

export interface Repaired {
  deliveries: number;
  events: number;
}

export interface Reconciler {
  /** One pass now, if no other worker holds the pass; null when another did. */
  runOnce(): Promise<Repaired | null>;
  close(): Promise<void>;
}

const BATCH = 500;
/** Bounds one pass; the next pass goes on from where this one stopped. */
const MAX_BATCHES_PER_PASS = 20;

/** Where a job stands in Redis, as far as the reconciler cares. */
type JobPresence = "queued" | "failed" | "missing";

/** One pipeline per queue: in a cluster, a pipeline's keys must all be in one slot, which is a queue's. */
async function presence(redis: RedisConnection, queue: Queue, ids: readonly string[]): Promise<JobPresence[]> {
  const pipeline = redis.pipeline();
  for (const id of ids) {
    pipeline.exists(queue.toKey(id));
    pipeline.zscore(queue.toKey("failed"), id);
  }
  const replies = (await pipeline.exec()) ?? [];
  return ids.map((_, i) => {
    const [existsError, exists] = replies[2 * i] ?? [];
    const [, failedScore] = replies[2 * i + 1] ?? [];
    if (existsError) throw existsError;
    if (!exists) return "missing";
    return failedScore === null ? "queued" : "failed";
  });
}

/**
 * Finds the work Postgres holds but the queue lost (a job that ended in the failed set, a Redis
 * flushed or restored from an older snapshot) and queues it again: pending deliveries without a
 * live job, and events ingest stored that no fan-out took. It runs at worker start and every
 * HOOKYARD_RECONCILE_INTERVAL, in bounded batches, in one worker at a time (a Redis lock), and is
 * idempotent: job ids are delivery and event ids, so a job queued twice is queued once. Work younger
 * than one interval is left alone, as its own job may still be on the way.
 */
export function startReconciler(deps: ReconcilerDeps): Reconciler {
  const { db, redis, queues, logger } = deps;
  const key = (name: ReconcilerKey) => reconcilerKey(queues, name);

  async function requeue(queue: Queue, ids: readonly string[], add: (missing: string[]) => Promise<unknown>) {
    const states = await presence(redis, queue, ids);
    const missing = ids.filter((_, i) => states[i] === "missing");
    const failed = ids.filter((_, i) => states[i] === "failed");
    if (missing.length > 0) await add(missing);
    for (const id of failed) await (await Job.fromId(queue, id))?.retry("failed");
    return missing.length + failed.length;
  }

  async function deliveries(before: Date): Promise<number> {
    let cursor = (await redis.get(key("deliveries-cursor"))) ?? "";
    let repaired = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const found = await pendingDeliveries(db, before, cursor, BATCH);
      if (found.length === 0) {
        cursor = "";
        break;
      }
      // A delivery in its first attempt is not written yet (decision 0015): every pending one
      // should have a job.
      for (const [queue, group] of byDeliveryQueue(queues, found)) {
        const webhookOf = new Map(group.map((d) => [d.id, d.webhookId]));
        repaired += await requeue(queue, [...webhookOf.keys()], (missing) =>
          queueDeliveries(
            queues,
            missing.map((id) => ({ id, webhookId: webhookOf.get(id) as string })),
          ),
        );
      }
      cursor = found.at(-1)?.id as string;
    }
    await redis.set(key("deliveries-cursor"), cursor);
    return repaired;
  }

  async function events(before: Date): Promise<number> {
    const checked = Number(await redis.get(key("events-checked-until")));
    // The first pass, or one after Redis forgot its place, looks at every event still awaiting
    // fan-out, however old: the index holds only those.
    let since = new Date(Math.max(checked, 0));
    let repaired = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
      const found = await eventsAwaitingFanOut(db, since, before, BATCH);
      const byId = new Map(found.map(({ event }) => [event.id, event]));
      repaired += await requeue(queues.events, [...byId.keys()], (missing) =>
        queueEvents(
          queues,
          missing.map((id) => byId.get(id) as AcceptedEvent),
        ),
      );
      if (found.length < BATCH) {
        since = before;
        break;
      }
      // Events of the last one's very millisecond are looked at again next time: queuing twice is harmless.
      since = found.at(-1)?.receivedAt ?? before;
    }
    await redis.set(key("events-checked-until"), String(since.getTime()));
    return repaired;
  }

  async function runOnce(): Promise<Repaired | null> {
    // One pass at a time across all workers; the lock lapses by itself if its holder dies.
    const locked = await redis.set(key("lock"), String(process.pid), "PX", Math.max(deps.intervalMs, 5_000), "NX");
    if (!locked) return null;
    const before = new Date(Date.now() - deps.intervalMs);
    const repaired = { deliveries: await deliveries(before), events: await events(before) };
    if (repaired.deliveries + repaired.events > 0) {
      logger.warn("reconciler queued again work the queue had lost", { ...repaired });
      await redis
        .multi()
        .hincrby(key("repaired"), "deliveries", repaired.deliveries)
        .hincrby(key("repaired"), "events", repaired.events)
        .exec();
    }
    return repaired;
  }

  const repeating = every(deps.intervalMs, runOnce, { logger, failed: "reconciler pass did not finish", now: true });
  return { runOnce, close: repeating.stop };
}
