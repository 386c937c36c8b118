import type { AcceptedEvent } from "@hookyard/core";
import { type JobsOptions, Queue, type QueueOptions } from "bullmq";
import type { Redis } from "ioredis";

/**
 * Every queue Hookyard has, declared once. The name is used for the Redis keys, the processor
 * file in apps/worker/src/processors/<name>.ts, and the Bull Board label.
 */
export const QUEUE = {
  /** One job per accepted event: find the matching webhooks and create their deliveries. */
  events: "events",
  /** One job per delivery: POST it, record the attempt, retry on the schedule. */
  deliveries: "deliveries",
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

export interface EventJob {
  event: AcceptedEvent;
}

export interface DeliveryJob {
  deliveryId: string;
}

export interface Queues {
  events: Queue<EventJob>;
  deliveries: Queue<DeliveryJob>;
  close(): Promise<void>;
}

/**
 * Finished jobs kept to show in Bull Board; Postgres keeps the history. Completed ones are few: each
 * costs Redis 1 to 2 KB (docs/performance.md), and Redis's free memory is what lets the workers
 * drain a backlog. Failed ones (the dead letter) are kept a week for an operator to look at.
 */
const KEEP = { removeOnComplete: { age: 3600, count: 100 }, removeOnFail: { age: 7 * 24 * 3600 } };

/** BullMQ logs every job's moves to a Redis stream per queue (10,000 entries by default, a few MB);
 * Hookyard reads none of it, so it is kept short. */
const EVENT_STREAM_LENGTH = 1_000;

export const EVENT_JOB_OPTIONS: JobsOptions = {
  ...KEEP,
  // Fan-out is idempotent; a failure here is Postgres being away, so keep trying for about an hour.
  attempts: 20,
  backoff: { type: "exponential", delay: 1_000 },
};

/** Delivery retries follow HOOKYARD_RETRY_SCHEDULE through the worker's custom backoff strategy. */
export function deliveryJobOptions(maxAttempts: number): JobsOptions {
  return { ...KEEP, attempts: maxAttempts, backoff: { type: "schedule" } };
}

/** The reconciler's own keys (apps/worker services/reconciler.ts), beside the queues' keys. */
export type ReconcilerKey = "lock" | "deliveries-cursor" | "events-checked-until" | "repaired";

export function reconcilerKey(queues: Queues, name: ReconcilerKey): string {
  return queues.events.toKey(`reconciler:${name}`);
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const options: QueueOptions = { connection, prefix, streams: { events: { maxLen: EVENT_STREAM_LENGTH } } };
  const events = new Queue<EventJob>(QUEUE.events, options);
  const deliveries = new Queue<DeliveryJob>(QUEUE.deliveries, options);
  return {
    events,
    deliveries,
    async close() {
      await Promise.all([events.close(), deliveries.close()]);
    },
  };
}

/**
 * Queues deliveries again under their own ids (what the reconciler checks): a finished job of the
 * same id (completed, or failed and kept for Bull Board) is removed first, since BullMQ would take a
 * new job of a known id as a repeat and drop it. A job still waiting or running is left to run.
 */
export async function queueDeliveriesAgain(queues: Queues, ids: readonly string[], maxAttempts: number) {
  const opts = deliveryJobOptions(maxAttempts);
  const fresh: string[] = [];
  for (const id of ids) {
    const job = await queues.deliveries.getJob(id);
    const state = job ? await job.getState() : "unknown";
    if (state === "completed" || state === "failed") await job?.remove();
    else if (state !== "unknown") continue;
    fresh.push(id);
  }
  await queues.deliveries.addBulk(
    fresh.map((deliveryId) => ({ name: "deliver", data: { deliveryId }, opts: { ...opts, jobId: deliveryId } })),
  );
}
