import { createHash } from "node:crypto";
import { type AcceptedEvent, type AttemptAnswer, deliveryShard } from "@hookyard/core";
import { type BulkJobOptions, type Job, type JobsOptions, Queue, type QueueOptions } from "bullmq";
import { isCluster, type RedisConnection } from "./redis.js";

/**
 * Every queue Hookyard has, declared once. The name is used for the Redis keys, the processor
 * file in apps/worker/src/processors/<name>.ts, and the Bull Board label.
 */
export const QUEUE = {
  /** One job per accepted event: find the matching webhooks and create their deliveries. */
  events: "events",
  /** A job per delivery that fan-out did not send at once (retries, deferred, chain steps, dockerhub
   * deliveries, an earlier run's): POST it, book the attempt, put it back for the schedule. Split
   * into HOOKYARD_DELIVERY_SHARDS queues by webhook: deliveryQueueName. */
  deliveries: "deliveries",
} as const;

export type QueueName = (typeof QUEUE)[keyof typeof QUEUE];

/**
 * The queue of delivery shard `shard`: `deliveries`, `deliveries-1`, `deliveries-2`... Shard 0 keeps
 * the plain name, so a Hookyard of one shard keeps the queue (and the jobs) it always had.
 */
export function deliveryQueueName(shard: number): string {
  return shard === 0 ? QUEUE.deliveries : `${QUEUE.deliveries}-${shard}`;
}

/**
 * The name BullMQ gets, which is the middle of every key of the queue (`<prefix>:<name>:wait`). In a
 * Redis Cluster it is a hash tag, `{deliveries-1}`: Redis then hashes only what is in the braces, so
 * all of a queue's keys share one slot (a cluster runs a script only on keys of one slot, and every
 * BullMQ script touches several keys of its queue), while each queue has a slot of its own, which
 * spreads the shards over the masters. Outside a cluster the name stays bare: the braces would only
 * move existing deployments' jobs to keys nobody reads.
 */
function keyName(name: string, cluster: boolean): string {
  return cluster ? `{${name}}` : name;
}

/** A queue's name for people (Bull Board, metrics, logs): its catalog name, without a hash tag's braces. */
export function queueLabel(name: string): string {
  return name.replace(/^\{(.*)\}$/, "$1");
}

/** The data of an event's job, whoever queues it (ingest, the reconciler, the operational
 * publisher): the event, under the id it has in Postgres. Queued only through eventJob. */
export interface EventJob {
  event: AcceptedEvent;
  /** The trace the event's push began (W3C trace context, packages/telemetry); only while tracing is on. */
  trace?: TraceCarrier;
  /** Since when the job has waited for Postgres (apps/worker processors/store-wait.ts). */
  storeWaitSince?: number;
}

export interface DeliveryJob {
  deliveryId: string;
  /** Lets a worker admit or defer the job before any read of Postgres (core admission.ts). Absent
   * from jobs queued by versions before it. */
  webhookId?: string;
  /** An attempt that went out but could not be booked (Postgres away): booked, never sent again. */
  sent?: SentAttempt;
  /** Since when the job has waited for Postgres (processors/store-wait.ts). */
  storeWaitSince?: number;
  /** The trace of the event's fan-out, which every attempt of the delivery joins (tracing on only). */
  trace?: TraceCarrier;
}

/** A span's context in a job's data: `traceparent` and `tracestate` (packages/telemetry makes them). */
export type TraceCarrier = Record<string, string>;

/**
 * A request that went out and what came back, ready to book: plain JSON (the time as text), since
 * while Postgres cannot take it, it waits in its delivery job's data.
 */
export interface SentAttempt extends AttemptAnswer {
  deliveryId: string;
  /** Made when the request goes out, so that booking the same attempt twice books it once. */
  attemptId: string;
  startedAt: string;
  /** No attempt follows this one whatever the count says (413, 410, a webhook that cannot be sent to). */
  final: boolean;
  /** Set (to the reason) when this answer disables the webhook (410 Gone). */
  disableWebhook: string | null;
  /** A step of a chain run: if the delivery fails for good, the run ends with it. */
  chainStep: boolean;
  /** The receiver's Retry-After, in ms from when it answered. */
  retryAfterMs: number | null;
  /** The first attempt of a delivery fan-out has not written yet: booking writes it (decision 0015). */
  unwritten: { webhookId: string; eventId: string } | null;
}

export interface Queues {
  events: Queue<EventJob>;
  /** The delivery queues by shard number; deliveryQueueOf finds a webhook's. */
  deliveryShards: readonly Queue<DeliveryJob>[];
  /** What the queues run on: one Redis or a cluster. */
  connection: RedisConnection;
  close(): Promise<void>;
}

/** A delivery as the queues need it: its id is its job's id, its webhook picks the shard. */
export interface QueuedDelivery {
  id: string;
  webhookId: string;
  /** Not to be taken before this many ms (a retry, or a deferred attempt: core admission.ts). */
  delayMs?: number;
  /** An attempt to book, not to send again (DeliveryJob.sent). */
  sent?: SentAttempt;
  trace?: TraceCarrier;
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

/**
 * A delivery job fails only on the unexpected (a bug, a row Postgres refuses): tried a few times,
 * then kept in the failed set for Bull Board. Retries of the delivery itself are not BullMQ's
 * attempts: Postgres's booking says whether one is left, and the processor puts the job back for
 * the schedule's delay (decision 0015).
 */
export const DELIVERY_JOB_OPTIONS: JobsOptions = {
  ...KEEP,
  attempts: 5,
  backoff: { type: "exponential", delay: 1_000 },
};

/** A job as addBulk takes it. */
export interface QueuedJob<T> {
  name: string;
  data: T;
  opts: BulkJobOptions;
}

/** A bounded key for BullMQ's deduplication, whatever the length of the source's event id. */
function eventDedupId(dedupKey: string): string {
  return createHash("sha256").update(dedupKey).digest("hex").slice(0, 40);
}

/**
 * An event's job: named after its type, under the event's id, which is the events row's (so a
 * second add of a queued event, by the reconciler or for a duplicate, is a no-op while its job is
 * in Redis). With `dedupWindowMs` (ingest while Postgres is away, decision 0014), BullMQ's
 * deduplication also drops an add of another id with the same dedup key for that long: Redis alone
 * judges duplicates then, and the add answers the first job, whose id tells it was one.
 */
export function eventJob(event: AcceptedEvent, dedupWindowMs?: number, trace?: TraceCarrier): QueuedJob<EventJob> {
  const opts: BulkJobOptions = { ...EVENT_JOB_OPTIONS, jobId: event.id };
  if (dedupWindowMs !== undefined) opts.deduplication = { id: eventDedupId(event.dedupKey), ttl: dedupWindowMs };
  return { name: event.type, data: trace ? { event, trace } : { event }, opts };
}

/** Queues events' jobs (eventJob) in one call; a job per event, in the events' order. `traces`, by
 * the events' index, is each one's trace. */
export function queueEvents(
  queues: Queues,
  events: readonly AcceptedEvent[],
  options: { dedupWindowMs?: number; traces?: readonly (TraceCarrier | undefined)[] } = {},
): Promise<Job<EventJob>[]> {
  const { dedupWindowMs, traces } = options;
  return queues.events.addBulk(events.map((event, i) => eventJob(event, dedupWindowMs, traces?.[i])));
}

/** The reconciler's own keys (apps/worker services/reconciler.ts), beside the queues' keys. */
export type ReconcilerKey = "lock" | "deliveries-cursor" | "events-checked-until" | "repaired";

export function reconcilerKey(queues: Queues, name: ReconcilerKey): string {
  return queues.events.toKey(`reconciler:${name}`);
}

/** The queues on a connection, under a prefix (HOOKYARD_QUEUE_PREFIX), with HOOKYARD_DELIVERY_SHARDS. */
export function createQueues(connection: RedisConnection, prefix: string, deliveryShards = 1): Queues {
  const options: QueueOptions = { connection, prefix, streams: { events: { maxLen: EVENT_STREAM_LENGTH } } };
  const cluster = isCluster(connection);
  const events = new Queue<EventJob>(keyName(QUEUE.events, cluster), options);
  const shards = Array.from(
    { length: deliveryShards },
    (_, shard) => new Queue<DeliveryJob>(keyName(deliveryQueueName(shard), cluster), options),
  );
  return {
    events,
    deliveryShards: shards,
    connection,
    async close() {
      await Promise.all([events.close(), ...shards.map((queue) => queue.close())]);
    },
  };
}

/** The queue a webhook's deliveries go on. */
export function deliveryQueueOf(queues: Queues, webhookId: string): Queue<DeliveryJob> {
  return queues.deliveryShards[deliveryShard(webhookId, queues.deliveryShards.length)] as Queue<DeliveryJob>;
}

/** Deliveries grouped by the queue each goes on, for one call (one slot, in a cluster) per shard. */
export function byDeliveryQueue(
  queues: Queues,
  deliveries: readonly QueuedDelivery[],
): Map<Queue<DeliveryJob>, QueuedDelivery[]> {
  const groups = new Map<Queue<DeliveryJob>, QueuedDelivery[]>();
  for (const delivery of deliveries) {
    const queue = deliveryQueueOf(queues, delivery.webhookId);
    const group = groups.get(queue);
    if (group) group.push(delivery);
    else groups.set(queue, [delivery]);
  }
  return groups;
}

/** A delivery's job: under the delivery's id (what makes a second add of the same delivery a no-op). */
function deliveryJob({ id, webhookId, delayMs, sent, trace }: QueuedDelivery): {
  name: string;
  data: DeliveryJob;
  opts: JobsOptions;
} {
  const data: DeliveryJob = { deliveryId: id, webhookId, ...(sent ? { sent, storeWaitSince: Date.now() } : {}) };
  if (trace) data.trace = trace;
  return {
    name: "deliver",
    data,
    opts: { ...DELIVERY_JOB_OPTIONS, jobId: id, ...(delayMs && delayMs > 0 ? { delay: Math.round(delayMs) } : {}) },
  };
}

/** Queues delivery jobs, each on its webhook's shard under the delivery's id: one call per shard. */
export async function queueDeliveries(queues: Queues, deliveries: readonly QueuedDelivery[]): Promise<void> {
  await Promise.all(
    [...byDeliveryQueue(queues, deliveries)].map(([queue, group]) => queue.addBulk(group.map(deliveryJob))),
  );
}

/**
 * Queues deliveries again under their own ids (what the reconciler checks): a finished job of the
 * same id (completed, or failed and kept for Bull Board) is removed first, since BullMQ would take a
 * new job of a known id as a repeat and drop it. A job still waiting or running is left to run.
 */
export async function queueDeliveriesAgain(queues: Queues, deliveries: readonly QueuedDelivery[]): Promise<void> {
  const fresh: QueuedDelivery[] = [];
  for (const delivery of deliveries) {
    const job = await deliveryQueueOf(queues, delivery.webhookId).getJob(delivery.id);
    const state = job ? await job.getState() : "unknown";
    if (state === "completed" || state === "failed") await job?.remove();
    else if (state !== "unknown") continue;
    fresh.push(delivery);
  }
  await queueDeliveries(queues, fresh);
}
