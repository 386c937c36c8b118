import { createHash } from "node:crypto";
import type { AcceptedEvent, RegistryEvent } from "@hookyard/core";
import { newId } from "@hookyard/db";
import { EVENT_JOB_OPTIONS, type Queues, waitForReplica } from "@hookyard/queues";
import DataLoader from "dataloader";
import { within } from "./within.js";

export type EnqueueOutcome = "accepted" | "duplicate";

/** Adds events to the queue; resolves once Redis has them. */
export interface EventEnqueuer {
  enqueue(events: readonly RegistryEvent[]): Promise<EnqueueOutcome[]>;
}

/** A bounded key for BullMQ's deduplication, whatever the length of the source's event id. */
function dedupId(dedupKey: string): string {
  return createHash("sha256").update(dedupKey).digest("hex").slice(0, 40);
}

/**
 * Concurrent requests' events are gathered for about a millisecond and added with one `addBulk`.
 * Each event gets a fresh id (the job's id, later the events row's) and BullMQ's deduplication on
 * its dedup key: inside the add script, atomically, a key already set means the event was queued
 * before, and BullMQ answers with that earlier job's id instead of adding one. So an answer of
 * another id is a duplicate, and no failure can leave a key set without its job. Past the deadline
 * the requests fail (503) even if Redis later takes the batch; the registry's retry of those events
 * is then a duplicate, never a loss.
 */
/**
 * `dedupWindowMs` (HOOKYARD_DEDUP_WINDOW): how long Redis remembers an event's dedup key, about 200
 * bytes each, so Redis holds about 200 bytes x events a second x the window. Postgres remembers it
 * for HOOKYARD_RETENTION (events.dedup_key): an event re-sent later is recorded once and never
 * delivered twice; this window only decides whether the answer counts it as a duplicate and spares
 * the worker a job. Registries re-send within seconds to minutes of a lost answer.
 */
export function createEventEnqueuer(
  queues: Queues,
  options: { windowMs?: number; deadlineMs: number; dedupWindowMs: number },
): EventEnqueuer {
  const loader = new DataLoader<RegistryEvent, EnqueueOutcome>(
    async (events) => {
      const accepted: AcceptedEvent[] = events.map((event) => ({ ...event, id: newId("event") }));
      const added = queues.events.addBulk(
        accepted.map((event) => ({
          name: event.type,
          data: { event },
          opts: {
            ...EVENT_JOB_OPTIONS,
            jobId: event.id,
            deduplication: { id: dedupId(event.dedupKey), ttl: options.dedupWindowMs },
          },
        })),
      );
      // In a Redis Cluster, on the replica too before the 202: a failover must not lose them.
      const replicated = added.then(async (jobs) => {
        await waitForReplica(queues, queues.events, Math.floor(options.deadlineMs / 2));
        return jobs;
      });
      const jobs = await within(options.deadlineMs, replicated, "Redis did not take the events");
      return jobs.map((job, i) => (job.id === accepted[i]?.id ? "accepted" : "duplicate"));
    },
    { cache: false, maxBatchSize: 1000, batchScheduleFn: (run) => setTimeout(run, options.windowMs ?? 1) },
  );
  return {
    async enqueue(events) {
      const results = await loader.loadMany(events);
      const failure = results.find((r) => r instanceof Error);
      if (failure) throw failure;
      return results as EnqueueOutcome[];
    },
  };
}
