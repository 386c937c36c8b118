import { UnstorableItemError } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { UnrecoverableError } from "bullmq";
import { BookingError } from "../services/attempt.js";

/**
 * A job whose item Postgres refuses for its own data would fail the same way on every retry, so it
 * goes straight to the queue's failed set (BullMQ's dead letter: Bull Board lists it with this
 * reason, /metrics counts it) and says why in the log. Its batch neighbours were written.
 */
export async function deadLetterUnstorable<T>(work: Promise<T>, logger: Logger, context: Record<string, unknown>) {
  try {
    return await work;
  } catch (error) {
    const refusal = error instanceof BookingError ? error.cause : error;
    if (!(refusal instanceof UnstorableItemError)) throw error;
    logger.error("job dead-lettered: Postgres refuses its data", { ...context, reason: refusal.reason });
    throw new UnrecoverableError(refusal.message);
  }
}
