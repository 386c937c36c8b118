import { createHash } from "node:crypto";
import type { RegistryEvent } from "@hookyard/core";
import { EVENT_JOB_OPTIONS, type Queues } from "@hookyard/queues";
import DataLoader from "dataloader";
import type { Redis } from "ioredis";

/** How long Redis remembers an event's dedup key. Postgres remembers it for good (events.dedup_key):
 * an event re-sent later is recorded once and never delivered twice; this window only decides
 * whether the answer counts it as a duplicate. */
export const DEDUP_WINDOW_SECONDS = 7 * 24 * 3600;

export type EnqueueOutcome = "accepted" | "duplicate";

/** Adds events to the queue; resolves once Redis has them. */
export interface EventEnqueuer {
  enqueue(events: readonly RegistryEvent[]): Promise<EnqueueOutcome[]>;
}

function keyHash(dedupKey: string): string {
  return createHash("sha256").update(dedupKey).digest("hex").slice(0, 40);
}

/**
 * Concurrent requests' events are gathered for about a millisecond and sent together: one `addBulk`
 * (BullMQ ignores an add whose job id exists, so a re-sent event is not queued twice while its job
 * is kept) and, at the same time, one SET NX per dedup key to tell new events from re-sent ones.
 * Every request adds its events whatever the SET says, and answers 202 only when both succeeded, so
 * a failure in between can at worst count a re-sent, newly queued event as a duplicate; it can
 * never lose one.
 */
export function createEventEnqueuer(queues: Queues, redis: Redis, prefix: string, windowMs = 1): EventEnqueuer {
  const loader = new DataLoader<RegistryEvent, EnqueueOutcome>(
    async (events) => {
      const hashes = events.map((e) => keyHash(e.dedupKey));
      const added = queues.events.addBulk(
        events.map((event, i) => ({
          name: event.type,
          data: { event },
          opts: { ...EVENT_JOB_OPTIONS, jobId: `evt-${hashes[i]}` },
        })),
      );
      const marks = redis.pipeline();
      for (const hash of hashes) marks.set(`${prefix}:dedup:${hash}`, "1", "EX", DEDUP_WINDOW_SECONDS, "NX");
      const [, results] = await Promise.all([added, marks.exec()]);
      return (results ?? []).map(([error, reply]) => {
        if (error) throw error;
        return reply === "OK" ? "accepted" : "duplicate";
      });
    },
    { cache: false, maxBatchSize: 1000, batchScheduleFn: (run) => setTimeout(run, windowMs) },
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
