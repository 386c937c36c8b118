import type { Logger } from "@hookyard/logger";
import { type EventJob, queueLabel } from "@hookyard/queues";
import type { Job } from "bullmq";
import { metrics } from "../metrics.js";
import { type FanOutDeps, fanOut } from "../services/fan-out.js";
import type { StoreGate } from "../services/store-gate.js";
import { deadLetterUnstorable } from "./dead-letter.js";
import { type StoreWait, waitForStore } from "./store-wait.js";

export interface EventsProcessorDeps extends FanOutDeps {
  gate: StoreGate;
  storeWaitLimitMs: number;
}

export function eventsProcessor(deps: EventsProcessorDeps, logger: Logger) {
  return async (job: Job<EventJob & StoreWait>, token?: string) => {
    const { event } = job.data;
    try {
      const result = await deadLetterUnstorable(fanOut(deps, event), logger, {
        queue: queueLabel(job.queueName),
        jobId: job.id,
      });
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
