import type { WebhookSlots } from "@hookyard/core";
import type { Logger } from "@hookyard/logger";
import { type DeliveryJob, queueLabel } from "@hookyard/queues";
import { DelayedError, type Job } from "bullmq";
import { metrics } from "../metrics.js";
import {
  bookAttempt,
  type DeliverDeps,
  reportAttempt,
  reportSkipped,
  type SentAttempt,
  sendOnce,
} from "../services/deliver.js";
import type { StoreGate } from "../services/store-gate.js";
import { deadLetterUnstorable } from "./dead-letter.js";
import { RetryLaterError } from "./retry-later-error.js";
import { waitForStore } from "./store-wait.js";

/** A delivery job's data: its id and, while Postgres is away, the attempt that went out unbooked. */
type DeliveryJobData = DeliveryJob & { sent?: SentAttempt; storeWaitSince?: number };

export interface DeliveriesProcessorDeps extends DeliverDeps {
  gate: StoreGate;
  storeWaitLimitMs: number;
  /** Each webhook's share of this process's concurrency (HOOKYARD_WEBHOOK_CONCURRENCY). */
  slots: WebhookSlots;
}

export function deliveriesProcessor(deps: DeliveriesProcessorDeps, logger: Logger) {
  return async (job: Job<DeliveryJobData>, token?: string) => {
    const { deliveryId, webhookId } = job.data;
    // What the job is, without what a run left in it (an attempt to book, a store wait).
    const identity = { deliveryId, webhookId };
    const context = { queue: queueLabel(job.queueName), jobId: job.id };
    let sent = job.data.sent;
    try {
      if (!sent) {
        const takenAt = performance.now();
        if (webhookId && !deps.slots.take(webhookId, takenAt)) return await holdBack(job, token, deps.slots, webhookId);
        const lastChance = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        const result = await deadLetterUnstorable(sendOnce(deps, deliveryId, lastChance), logger, context).finally(
          () => webhookId && deps.slots.release(webhookId, takenAt),
        );
        if ("kind" in result) {
          reportSkipped(deliveryId, result.reason, logger);
          return result;
        }
        sent = result;
      }
      const outcome = await deadLetterUnstorable(bookAttempt(deps, sent), logger, context);
      await reportAttempt(deps, sent, outcome, logger);
      if (outcome.kind === "retry") {
        // The next run sends again: it must not find this attempt waiting to be booked.
        if (job.data.sent || job.data.storeWaitSince) await job.updateData(identity);
        throw new RetryLaterError(outcome.delayMs);
      }
      return outcome;
    } catch (error) {
      if (!deps.gate.isOutage(error)) throw error;
      return waitForStore(job, token, { ...identity, ...(sent ? { sent } : {}) }, deps.storeWaitLimitMs, error);
    }
  };
}

/**
 * Puts the job back until its webhook has a slot free in this process: no attempt is spent and
 * nothing is read from Postgres. It comes back at the end of the queue.
 */
async function holdBack(job: Job<DeliveryJobData>, token: string | undefined, slots: WebhookSlots, webhookId: string) {
  metrics.heldBack();
  await job.moveToDelayed(Date.now() + slots.holdBackMs(webhookId), token);
  throw new DelayedError();
}

/** BullMQ's custom backoff: the delay the processor computed from the schedule and Retry-After. */
export function scheduleBackoff(_attemptsMade: number, _type: string | undefined, error: Error | undefined): number {
  return error instanceof RetryLaterError ? error.delayMs : 1_000;
}
