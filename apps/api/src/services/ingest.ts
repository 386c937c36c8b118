import { checkStorableEvent, type ParseResult } from "@hookyard/core";
import { QUEUE } from "@hookyard/queues";
import { carrierOf, endSpan, type MaybeSpan, startSendSpan } from "@hookyard/telemetry";
import { badRequest, unavailable } from "../http/api-error.js";
import { type EnqueueOutcome, type EventEnqueuer, QueueUnavailableError } from "./event-enqueuer.js";
import { countIngested } from "./ingest-metrics.js";

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  ignored: number;
}

/** Past this, a request answers 503 rather than hang while Redis is away (the sender retries). */
export const ENQUEUE_DEADLINE_MS = 800;
/** Postgres answers a batch's insert in a few ms; past this, the batch goes to Redis alone. */
export const STORE_DEADLINE_MS = 500;
/** After Postgres failed a batch, batches go to Redis alone this long before it is tried again. */
export const STORE_RETRY_MS = 1_000;

/** Stores and enqueues parsed events (event-enqueuer.ts); answers only once they are safe, or fails
 * with 503 so the sender retries. */
export async function ingest(enqueuer: EventEnqueuer, parsed: ParseResult, span?: MaybeSpan): Promise<IngestAnswer> {
  if (!parsed.ok) throw badRequest(parsed.message);
  for (const [index, event] of parsed.events.entries()) {
    const refused = checkStorableEvent(event, ["events", index]);
    if (refused) throw badRequest(refused.message);
  }
  if (parsed.events.length === 0) return { accepted: 0, duplicates: 0, ignored: parsed.ignored };
  let outcomes: EnqueueOutcome[];
  // The events' jobs carry this span: their fan-out and attempts continue the request's trace.
  const sending = startSendSpan(QUEUE.events, parsed.events.length, span);
  try {
    outcomes = await enqueuer.enqueue(parsed.events, carrierOf(sending));
    endSpan(sending);
  } catch (error) {
    endSpan(sending, error);
    // Only Redis not taking the events is the sender's cue to retry; anything else is a bug, for
    // the ingest handler to log with the request's id and answer 500.
    if (error instanceof QueueUnavailableError)
      throw unavailable("the event queue (Redis) is unavailable; retry later");
    throw error;
  }
  countIngested(parsed.events, outcomes);
  let duplicates = 0;
  for (const outcome of outcomes) if (outcome === "duplicate") duplicates++;
  return { accepted: outcomes.length - duplicates, duplicates, ignored: parsed.ignored };
}
