import type { Logger } from "@hookyard/logger";
import type { EventJob } from "@hookyard/queues";
import type { Job } from "bullmq";
import { type FanOutDeps, fanOut } from "../services/fan-out.js";
import { deadLetterUnstorable } from "./dead-letter.js";

export function eventsProcessor(deps: FanOutDeps, logger: Logger) {
  return async (job: Job<EventJob>) => {
    const { event } = job.data;
    const result = await deadLetterUnstorable(fanOut(deps, event), logger, { queue: job.queueName, jobId: job.id });
    logger.info("event fanned out", { jobId: job.id, eventType: event.type, repository: event.repository, ...result });
    return result;
  };
}
