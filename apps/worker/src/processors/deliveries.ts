import type { Logger } from "@hookyard/logger";
import type { DeliveryJob } from "@hookyard/queues";
import type { Job } from "bullmq";
import { type DeliverDeps, deliverOnce } from "../services/deliver.js";
import { deadLetterUnstorable } from "./dead-letter.js";
import { RetryLaterError } from "./retry-later-error.js";

export function deliveriesProcessor(deps: DeliverDeps, logger: Logger) {
  return async (job: Job<DeliveryJob>) => {
    const lastChance = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await deadLetterUnstorable(deliverOnce(deps, job.data.deliveryId, lastChance), logger, {
      queue: job.queueName,
      jobId: job.id,
    });
    logger.info("delivery attempt", { deliveryId: job.data.deliveryId, ...outcome });
    if (outcome.kind === "retry") throw new RetryLaterError(outcome.delayMs);
    return outcome;
  };
}

/** BullMQ's custom backoff: the delay the processor computed from the schedule and Retry-After. */
export function scheduleBackoff(_attemptsMade: number, _type: string | undefined, error: Error | undefined): number {
  return error instanceof RetryLaterError ? error.delayMs : 1_000;
}
