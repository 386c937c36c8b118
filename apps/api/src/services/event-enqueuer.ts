import { createHash } from "node:crypto";
import type { RegistryEvent } from "@hookyard/core";
import { EVENT_JOB_OPTIONS, type Queues } from "@hookyard/queues";
import DataLoader from "dataloader";

/** Adds events to the queue; resolves once Redis has them. */
export interface EventEnqueuer {
  enqueue(events: readonly RegistryEvent[]): Promise<void>;
}

/** BullMQ ignores an add whose job id exists, so the dedup key (hashed: ids may not hold ':')
 * keeps a re-sent event from being queued twice while its job is kept. */
function jobIdFor(dedupKey: string): string {
  return `evt-${createHash("sha256").update(dedupKey).digest("hex").slice(0, 40)}`;
}

/**
 * Concurrent requests' events are gathered for about a millisecond and added in one `addBulk`: one
 * Redis round trip (a MULTI) for many requests instead of one each. Every request still waits for
 * its own events to be in Redis before it answers 202.
 */
export function createEventEnqueuer(queues: Queues, windowMs = 1): EventEnqueuer {
  const loader = new DataLoader<RegistryEvent, true>(
    async (events) => {
      await queues.events.addBulk(
        events.map((event) => ({
          name: event.type,
          data: { event },
          opts: { ...EVENT_JOB_OPTIONS, jobId: jobIdFor(event.dedupKey) },
        })),
      );
      return events.map(() => true as const);
    },
    { cache: false, maxBatchSize: 1000, batchScheduleFn: (run) => setTimeout(run, windowMs) },
  );
  return {
    async enqueue(events) {
      const results = await loader.loadMany(events);
      const failure = results.find((r) => r instanceof Error);
      if (failure) throw failure;
    },
  };
}
