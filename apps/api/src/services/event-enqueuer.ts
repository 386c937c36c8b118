import { createHash } from "node:crypto";
import type { AcceptedEvent, RegistryEvent } from "@hookyard/core";
import { type Db, type IngestedEvent, newId, storeIngestedEvents } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { EVENT_JOB_OPTIONS, type Queues, waitForReplica } from "@hookyard/queues";
import DataLoader from "dataloader";
import { within } from "./within.js";

export type EnqueueOutcome = "accepted" | "duplicate";

/** Stores and queues events; resolves once they are safe. */
export interface EventEnqueuer {
  enqueue(events: readonly RegistryEvent[]): Promise<EnqueueOutcome[]>;
}

export interface EventEnqueuerOptions {
  /** How long requests' events are gathered into one batch. */
  windowMs?: number;
  /** Past this a request fails (503), so that the registry sends it again. */
  deadlineMs: number;
  /** Of the deadline, how long Postgres may take before a batch goes to Redis alone. */
  storeDeadlineMs: number;
  /** After Postgres failed a batch, how long batches go to Redis alone before it is tried again. */
  storeRetryMs: number;
  /** HOOKYARD_DEDUP_WINDOW: how long Redis remembers the dedup key of an event it alone holds. */
  dedupWindowMs: number;
}

/** A bounded key for BullMQ's deduplication, whatever the length of the source's event id. */
function dedupId(dedupKey: string): string {
  return createHash("sha256").update(dedupKey).digest("hex").slice(0, 40);
}

/**
 * Concurrent requests' events are gathered for about a millisecond and handled as one batch, which
 * gets fresh ids (later the events rows' and their jobs' ids):
 *
 * - Postgres up: the batch is stored in `events`, awaiting fan-out, in one statement, and then
 *   queued (decision 0014). Postgres judges duplicates by the events table's unique dedup key.
 *   Redis losing its data after the 202 loses nothing: the reconciler queues again what awaits
 *   fan-out.
 * - Postgres away (an error, or no answer within `storeDeadlineMs`): the batch is queued in Redis
 *   alone, with BullMQ's deduplication on its dedup key for `dedupWindowMs` (an answer of another
 *   job's id is a duplicate), as ingest goes on through a Postgres outage. Fan-out stores them once
 *   Postgres is back; until then Redis is their only copy.
 *
 * Either way the answer waits for Redis (and its replica, in a cluster): past the deadline the
 * requests fail (503) and the registry sends them again, which is then a duplicate, never a loss.
 */
export function createEventEnqueuer(
  db: Db,
  queues: Queues,
  options: EventEnqueuerOptions,
  logger: Logger,
): EventEnqueuer {
  let storeAwayUntil = 0;

  async function store(events: readonly AcceptedEvent[]): Promise<IngestedEvent[] | null> {
    if (Date.now() < storeAwayUntil) return null;
    try {
      return await within(
        options.storeDeadlineMs,
        storeIngestedEvents(db, events),
        "Postgres did not store the events",
      );
    } catch (error) {
      storeAwayUntil = Date.now() + options.storeRetryMs;
      logger.warn("ingest queues events in Redis alone: Postgres did not store them", {
        error: (error as Error).message,
        retryInMs: options.storeRetryMs,
      });
      return null;
    }
  }

  async function queue(jobs: Parameters<Queues["events"]["addBulk"]>[0]) {
    const added = queues.events.addBulk(jobs).then(async (queued) => {
      // In a Redis Cluster, on the replica too before the 202: a failover must not lose them.
      await waitForReplica(queues, queues.events, Math.floor(options.deadlineMs / 2));
      return queued;
    });
    return within(options.deadlineMs, added, "Redis did not take the events");
  }

  async function enqueueBatch(events: readonly RegistryEvent[]): Promise<EnqueueOutcome[]> {
    const accepted: AcceptedEvent[] = events.map((event) => ({ ...event, id: newId("event") }));
    const stored = await store(accepted);
    if (stored) {
      const toQueue = accepted.flatMap((event, i) => (stored[i]?.queue ? [{ ...event, id: stored[i].id }] : []));
      if (toQueue.length > 0) {
        await queue(toQueue.map((event) => ({ name: event.type, data: { event }, opts: eventJobOptions(event) })));
      }
      return stored.map((s) => (s.duplicate ? "duplicate" : "accepted"));
    }
    const jobs = await queue(
      accepted.map((event) => ({
        name: event.type,
        data: { event },
        opts: { ...eventJobOptions(event), deduplication: { id: dedupId(event.dedupKey), ttl: options.dedupWindowMs } },
      })),
    );
    return jobs.map((job, i) => (job.id === accepted[i]?.id ? "accepted" : "duplicate"));
  }

  const loader = new DataLoader<RegistryEvent, EnqueueOutcome>(enqueueBatch, {
    cache: false,
    maxBatchSize: 1000,
    batchScheduleFn: (run) => setTimeout(run, options.windowMs ?? 1),
  });
  return {
    async enqueue(events) {
      const results = await loader.loadMany(events);
      const failure = results.find((r) => r instanceof Error);
      if (failure) throw failure;
      return results as EnqueueOutcome[];
    },
  };
}

function eventJobOptions(event: AcceptedEvent) {
  return { ...EVENT_JOB_OPTIONS, jobId: event.id };
}
