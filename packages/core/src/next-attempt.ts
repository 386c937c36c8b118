import { maxAttempts, nextRetryDelay, parseRetryAfter, type RetrySchedule } from "./retry-schedule.js";

/** What a delivery page says while a delivery is pending: when the next attempt is due, how many are left. */
export interface NextAttempt {
  /** When the next attempt is due; null when it is not waiting on the schedule (none made yet in this
   * series: it goes out as soon as a worker has room) or when none is left. */
  nextAttemptAt: Date | null;
  /** Attempts the current series may still make, the next one included. */
  attemptsLeft: number;
}

/**
 * The next attempt of a pending delivery, worked out from what is stored: the last attempt of the
 * current series ended, and the schedule's delay for that many tries follows (or the receiver's
 * longer Retry-After, as the worker takes it). An estimate: the worker spreads each delay by
 * RETRY_JITTER and may defer a slow webhook's attempts; reading the delayed job from Redis would
 * say no more about when a worker takes it.
 */
export function nextAttempt(
  schedule: RetrySchedule,
  delivery: {
    status: string;
    attemptCount: number;
    seriesStart: number;
    lastAttempt: { startedAt: Date; durationMs: number; responseHeaders: unknown } | null;
  },
): NextAttempt {
  const tries = delivery.attemptCount - delivery.seriesStart;
  const attemptsLeft = delivery.status === "pending" ? Math.max(0, maxAttempts(schedule) - tries) : 0;
  const last = delivery.lastAttempt;
  if (attemptsLeft === 0 || tries === 0 || !last) return { nextAttemptAt: null, attemptsLeft };
  const endedAt = new Date(last.startedAt.getTime() + last.durationMs);
  const headers = (last.responseHeaders ?? {}) as Record<string, string | undefined>;
  const delay = nextRetryDelay(schedule, tries, parseRetryAfter(headers["retry-after"], endedAt));
  return { nextAttemptAt: delay === null ? null : new Date(endedAt.getTime() + delay), attemptsLeft };
}
