import type { Admission } from "@hookyard/core";
import type { Logger } from "@hookyard/logger";
import { type DeliveryJob, queueLabel } from "@hookyard/queues";
import { contextOf, type MaybeSpan } from "@hookyard/telemetry";
import { DelayedError, type Job } from "bullmq";
import { metrics } from "../metrics.js";
import { type AttemptDeps, bookAndReport, type DeliveryOutcome, runAttempt } from "../services/attempt.js";
import { deadLetterUnstorable } from "./dead-letter.js";
import { inJobSpan } from "./job-span.js";
import { waitForStore } from "./store-wait.js";

export interface DeliveriesProcessorDeps extends AttemptDeps {
  storeWaitLimitMs: number;
  admission: Admission;
}

/**
 * A delivery job: admitted (or deferred) by its webhook's lane and share, then by its rate limit or
 * a 429's hold (decision 0021), one attempt (or the
 * booking of one a store wait kept), then, if Postgres's booking left the delivery pending, put
 * back for the schedule's delay. Nothing here counts attempts: the booking does (decision 0015).
 */
export function deliveriesProcessor(deps: DeliveriesProcessorDeps, logger: Logger) {
  return (job: Job<DeliveryJob>, token?: string) =>
    inJobSpan(job, { "hookyard.delivery.id": job.data.deliveryId }, (span) => deliver(job, token, span));

  async function deliver(job: Job<DeliveryJob>, token: string | undefined, span: MaybeSpan) {
    const { deliveryId, webhookId, sent, trace } = job.data;
    // What the job is, without what a run left in it (an attempt to book, a store wait).
    const identity: DeliveryJob = trace ? { deliveryId, webhookId, trace } : { deliveryId, webhookId };
    const context = { queue: queueLabel(job.queueName), jobId: job.id };
    let outcome: DeliveryOutcome;
    try {
      if (sent) {
        outcome = await deadLetterUnstorable(bookAndReport(deps, sent), logger, context);
      } else {
        const ticket = webhookId ? deps.admission.take(webhookId, performance.now()) : null;
        if (webhookId && !ticket)
          return await putBack(job, token, deps.admission.deferMs(webhookId, performance.now()));
        outcome = await deadLetterUnstorable(
          runAttempt(
            deps,
            { deliveryId },
            (timing) => ticket && deps.admission.release(ticket, timing, performance.now()),
            span && contextOf(span),
          ),
          logger,
          context,
        );
      }
    } catch (error) {
      if (!deps.gate.isOutage(error)) throw error;
      // Nothing went out (after sending, a store fault is the store-wait outcome).
      return waitForStore(job, token, identity, deps.storeWaitLimitMs, error);
    }
    if (outcome.kind === "store-wait") {
      return waitForStore(job, token, { ...identity, sent: outcome.sent }, deps.storeWaitLimitMs, outcome.error);
    }
    if (outcome.kind === "deferred") {
      // Its webhook's rate limit or a 429's hold (decision 0021): back for its slot, no attempt spent.
      if (job.data.storeWaitSince) await job.updateData(identity);
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
    }
    if (outcome.kind === "retry") {
      // The next run sends again: it must not find this attempt waiting to be booked.
      if (sent || job.data.storeWaitSince) await job.updateData(identity);
      await job.moveToDelayed(Date.now() + outcome.delayMs, token);
      throw new DelayedError();
    }
    return outcome;
  }
}

/**
 * Puts the job back until its webhook likely has room (core Admission.deferMs): no attempt is
 * spent and nothing is read from Postgres.
 */
async function putBack(job: Job<DeliveryJob>, token: string | undefined, delayMs: number): Promise<never> {
  metrics.deferred(1);
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}
