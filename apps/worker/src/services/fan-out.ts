import type { AcceptedEvent } from "@hookyard/core";
import type { DeliveryStore } from "./batched-store.js";

export interface FanOutDeps {
  store: DeliveryStore;
}

/**
 * Records the event and creates its deliveries (and the runs of the chains that take it, with their
 * first step's delivery); the store queues them as it writes them, each on its webhook's shard, a
 * chunk at a time. The job id is the delivery id, so running this twice (a worker died half way)
 * queues each delivery once.
 */
export async function fanOut(
  deps: FanOutDeps,
  event: AcceptedEvent,
): Promise<{ eventId: string; deliveries: number; chainRuns: string[] }> {
  const { eventId, pendingDeliveries, chainRuns } = await deps.store.fanOut(event);
  return { eventId, deliveries: pendingDeliveries.length, chainRuns: chainRuns.map((run) => run.runId) };
}
