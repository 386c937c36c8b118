import type { Logger } from "@hookyard/logger";
import type { EventJob } from "@hookyard/queues";
import type { Job } from "bullmq";
import { type FanOutDeps, fanOut } from "../services/fan-out.js";

export function eventsProcessor(deps: FanOutDeps, logger: Logger) {
  return async (job: Job<EventJob>) => {
    const { event } = job.data;
    const result = await fanOut(deps, event);
    logger.info("event fanned out", { jobId: job.id, eventType: event.type, repository: event.repository, ...result });
    return result;
  };
}
