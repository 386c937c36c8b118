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

/**
 * The delay before the next attempt after `attemptsMade` attempts, or null when none is left.
 * A Retry-After from the receiver wins over the schedule when it asks for longer, up to a bound.
 */
export function nextRetryDelay(
  schedule: RetrySchedule,
  attemptsMade: number,
  retryAfterMs?: number | null,
): number | null {
  const planned = schedule[attemptsMade - 1];
  if (planned === undefined) return null;
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
