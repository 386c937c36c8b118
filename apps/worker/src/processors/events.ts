import type { Logger } from "@hookyard/logger";
import { type EventJob, queueLabel } from "@hookyard/queues";
import type { MaybeSpan } from "@hookyard/telemetry";
import type { Job } from "bullmq";
import { metrics } from "../metrics.js";
import type { Dispatch } from "../services/dispatch.js";
import type { FanOut } from "../services/fan-out.js";
import type { StoreGate } from "../services/store-gate.js";
import { deadLetterUnstorable } from "./dead-letter.js";
import { inJobSpan } from "./job-span.js";
import { waitForStore } from "./store-wait.js";

export interface EventsProcessorDeps {
  fanOut: FanOut;
  /** The first attempts fan-out made: the event's job ends after them (decision 0015). */
  dispatch: Pick<Dispatch, "settled">;
  gate: StoreGate;
  storeWaitLimitMs: number;
}

/**
 * An event's job: fan it out, then wait until the first attempts made for it are booked or queued.
 * Postgres away: the job waits for it and runs again; that run writes pending whatever this one
 * matched and did not book.
 */
export function eventsProcessor(deps: EventsProcessorDeps, logger: Logger) {
  return (job: Job<EventJob>, token?: string) =>
    inJobSpan(job, { "hookyard.event.id": job.data.event.id, "hookyard.event.type": job.data.event.type }, (span) =>
      fanOutEvent(job, token, span),
    );

  async function fanOutEvent(job: Job<EventJob>, token: string | undefined, span: MaybeSpan) {
    const { event, trace } = job.data;
    try {
      let result: Awaited<ReturnType<FanOut["run"]>>;
      try {
        result = await deadLetterUnstorable(deps.fanOut.run(event, span), logger, {
          queue: queueLabel(job.queueName),
          jobId: job.id,
        });
      } catch (error) {
        // Attempts it started before failing end first: a run again must not find them unwritten.
        await deps.dispatch.settled(event.id).catch(() => {});
        throw error;
      }
      await deps.dispatch.settled(result.eventId);
      metrics.fannedOut(result.deliveries, result.chainRuns.length);
      span?.setAttribute("hookyard.deliveries", result.deliveries);
      logger.info("event fanned out", {
        jobId: job.id,
        eventType: event.type,
        repository: event.repository,
        ...result,
      });
      return result;
    } catch (error) {
      if (!deps.gate.isOutage(error)) throw error;
      return waitForStore(job, token, trace ? { event, trace } : { event }, deps.storeWaitLimitMs, error);
    }
  }
}
