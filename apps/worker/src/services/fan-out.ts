import type { AcceptedEvent } from "@hookyard/core";
import { type Queues, queueDeliveries } from "@hookyard/queues";
import type { DeliveryStore } from "./batched-store.js";

export interface FanOutDeps {
  store: DeliveryStore;
  queues: Queues;
  maxAttempts: number;
}

/**
 * Records the event, creates its deliveries (and the runs of the chains that take it, with their
 * first step's delivery) and queues them, each on its webhook's shard. The job id is the delivery
 * id, so running this twice (a worker died after the insert) queues each delivery once.
 */
export async function fanOut(
  deps: FanOutDeps,
  event: AcceptedEvent,
): Promise<{ eventId: string; deliveries: number; chainRuns: string[] }> {
  const { eventId, pendingDeliveries, chainRuns } = await deps.store.fanOut(event);
  if (pendingDeliveries.length > 0) await queueDeliveries(deps.queues, pendingDeliveries, deps.maxAttempts);
  return { eventId, deliveries: pendingDeliveries.length, chainRuns: chainRuns.map((run) => run.runId) };
}
