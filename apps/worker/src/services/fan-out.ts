import type { AcceptedEvent } from "@hookyard/core";
import { type DeliveryJob, deliveryJobOptions } from "@hookyard/queues";
import type { Queue } from "bullmq";
import type { DeliveryStore } from "./batched-store.js";

export interface FanOutDeps {
  store: DeliveryStore;
  deliveries: Queue<DeliveryJob>;
  maxAttempts: number;
}

/**
 * Records the event, creates its deliveries (and the runs of the chains that take it, with their
 * first step's delivery) and queues them. The job id is the delivery id, so
 * running this twice (a worker died after the insert) queues each delivery once.
 */
export async function fanOut(
  deps: FanOutDeps,
  event: AcceptedEvent,
): Promise<{ eventId: string; deliveries: number; chainRuns: string[] }> {
  const { eventId, pendingDeliveryIds, chainRuns } = await deps.store.fanOut(event);
  if (pendingDeliveryIds.length > 0) {
    const opts = deliveryJobOptions(deps.maxAttempts);
    await deps.deliveries.addBulk(
      pendingDeliveryIds.map((deliveryId) => ({
        name: "deliver",
        data: { deliveryId },
        opts: { ...opts, jobId: deliveryId },
      })),
    );
  }
  return { eventId, deliveries: pendingDeliveryIds.length, chainRuns: chainRuns.map((run) => run.runId) };
}
