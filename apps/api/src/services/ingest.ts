import type { ParseResult } from "@hookyard/core";
import { badRequest, unavailable } from "../http/api-error.js";
import type { EventEnqueuer } from "./event-enqueuer.js";

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  ignored: number;
}

/** Enqueues parsed events; answers only once Redis has them, or fails with 503 so the sender retries. */
export async function ingest(enqueuer: EventEnqueuer, parsed: ParseResult): Promise<IngestAnswer> {
  if (!parsed.ok) throw badRequest(parsed.message);
  if (parsed.events.length > 0) {
    try {
      await enqueuer.enqueue(parsed.events);
    } catch {
      throw unavailable("the event queue (Redis) is unavailable; retry later");
    }
  }
  return { accepted: parsed.events.length, duplicates: 0, ignored: parsed.ignored };
}
