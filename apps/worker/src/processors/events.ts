import type { Logger } from "@hookyard/logger";
import { type EventJob, queueLabel } from "@hookyard/queues";
import type { Job } from "bullmq";
import { metrics } from "../metrics.js";
import { type FanOutDeps, fanOut } from "../services/fan-out.js";
import type { FirstAttempts } from "../services/first-attempts.js";
import type { StoreGate } from "../services/store-gate.js";
import { deadLetterUnstorable } from "./dead-letter.js";
import { type StoreWait, waitForStore } from "./store-wait.js";

export interface EventsProcessorDeps extends FanOutDeps {
  gate: StoreGate;
  storeWaitLimitMs: number;
  /** The first attempts fan-out made from this process: the job ends after them. */
  firstAttempts: Pick<FirstAttempts, "settled">;
}

export function eventsProcessor(deps: EventsProcessorDeps, logger: Logger) {
  return async (job: Job<EventJob & StoreWait>, token?: string) => {
    const { event } = job.data;
    try {
      const result = await deadLetterUnstorable(
        fanOut(deps, event).finally(() => deps.firstAttempts.settled(event.id)),
        logger,
        { queue: queueLabel(job.queueName), jobId: job.id },
      );
      // A re-sent event is stored under its first copy's id; its new deliveries are tracked by that.
      if (result.eventId !== event.id) await deps.firstAttempts.settled(result.eventId);
      metrics.fannedOut(result.deliveries, result.chainRuns.length);
      logger.info("event fanned out", {
        jobId: job.id,
        eventType: event.type,
        repository: event.repository,
        ...result,
      });
      return result;
    } catch (error) {
      if (!deps.gate.isOutage(error)) throw error;
      return waitForStore(job, token, { event }, deps.storeWaitLimitMs, error);
    }
  };
}
