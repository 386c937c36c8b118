import { type Queues, queueLabel } from "@hookyard/queues";

/** The BullMQ job states Hookyard reports; failed is the dead letter (jobs not tried again). */
export const QUEUE_STATES = ["waiting", "prioritized", "active", "delayed", "failed"] as const;
export type QueueState = (typeof QUEUE_STATES)[number];

export type QueueDepth = { queue: string } & Record<QueueState, number>;

/**
 * Jobs in each queue of the catalog (events, then each delivery shard) by state, read from Redis:
 * /metrics (hookyard_queue_jobs) and the admin overview both show these figures.
 */
export async function readQueueDepths(queues: Queues): Promise<QueueDepth[]> {
  return Promise.all(
    [queues.events, ...queues.deliveryShards].map(async (queue) => {
      const counts = await queue.getJobCounts(...QUEUE_STATES);
      const depth = { queue: queueLabel(queue.name) } as QueueDepth;
      for (const state of QUEUE_STATES) depth[state] = counts[state] ?? 0;
      return depth;
    }),
  );
}
