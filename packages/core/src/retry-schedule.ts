import { parseDuration } from "./duration.js";

/**
 * Delays between attempts: Svix's schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), so a
 * receiver that is down for a day still gets the event. Eight attempts over about 28 hours.
 */
export const DEFAULT_RETRY_SCHEDULE = "5s,5m,30m,2h,5h,10h,10h";

/** Bounds on a receiver's Retry-After, so one answer can neither hammer it nor park a delivery. */
export const RETRY_AFTER_MAX_MS = 24 * 3_600_000;

export type RetrySchedule = readonly number[];

/** Parses "200ms,500ms,1s"; null when any entry is not a duration. An empty text means no retries. */
export function parseRetrySchedule(text: string): RetrySchedule | null {
  if (text.trim() === "") return [];
  const delays = text.split(",").map(parseDuration);
  return delays.every((d): d is number => d !== null) ? delays : null;
}

export function maxAttempts(schedule: RetrySchedule): number {
  return schedule.length + 1;
}

/** A scheduled delay varies by up to this share either way, so that the deliveries one outage
 * failed together do not all come back at the receiver in the same second when it recovers. */
export const RETRY_JITTER = 0.2;

/** A delay spread by RETRY_JITTER: `random()` 0 gives 0.8x, 1 gives 1.2x. */
export function withJitter(delayMs: number, random: () => number = Math.random): number {
  return Math.round(delayMs * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random()));
}

/**
 * Answers that end a delivery at once: the same request would get the same answer. 413: the body
 * will not get smaller. (410 Gone ends it too, and disables the webhook.) Every other non-2xx,
 * 4xx included, is retried like a 5xx: a receiver in the middle of a deploy answers 404, 401 or 503
 * for a minute, and a delivery is not lost to that.
 */
export function endsDelivery(statusCode: number | null): boolean {
  return statusCode === 413 || statusCode === 410;
}

/**
 * The delay before the next attempt after `attemptsMade` attempts, or null when none is left.
 * A Retry-After from the receiver wins over the schedule when it asks for longer, up to a bound;
 * `spread` varies the scheduled delay (withJitter), never a receiver's Retry-After.
 */
export function nextRetryDelay(
  schedule: RetrySchedule,
  attemptsMade: number,
  retryAfterMs?: number | null,
  spread: (delayMs: number) => number = (delayMs) => delayMs,
): number | null {
  const scheduled = schedule[attemptsMade - 1];
  if (scheduled === undefined) return null;
  const planned = spread(scheduled);
  if (retryAfterMs == null || retryAfterMs <= planned) return planned;
  // The cap bounds how long a receiver can park a delivery; it never brings a retry forward.
  return Math.max(planned, Math.min(retryAfterMs, RETRY_AFTER_MAX_MS));
}

/** Reads a Retry-After header: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
