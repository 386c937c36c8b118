/**
 * Per-webhook rate limits and receivers' 429 Retry-After (issue 27, docs/decisions/0021). The
 * window itself is kept in Redis, shared by every worker (apps/worker services/rate-limiter.ts);
 * what is here is the arithmetic both sides agree on. Pure.
 */

/** The largest `rateLimit` a webhook may have (deliveries per second): above it a limit limits nothing
 * a worker could send anyway. */
export const RATE_LIMIT_MAX = 10_000;

/** The window a rate limit counts in: at most `rateLimit` requests reach a receiver in any span this long. */
export const RATE_WINDOW_MS = 1_000;

/** The longest a receiver's 429 Retry-After holds its webhook: one answer cannot park it for a day. */
export const HOLD_MAX_MS = 3_600_000;

/** How far apart deferred deliveries are queued for their slots: the window over the limit. */
export function rateSpacingMs(rateLimit: number): number {
  return Math.ceil(RATE_WINDOW_MS / rateLimit);
}

/**
 * How long an answer holds its webhook's next deliveries: a 429 with a Retry-After, capped at
 * HOLD_MAX_MS; null for any other answer (a 503's Retry-After only delays that delivery's retry).
 */
export function holdAfterAnswer(statusCode: number | null, retryAfterMs: number | null): number | null {
  if (statusCode !== 429 || retryAfterMs === null || !(retryAfterMs > 0)) return null;
  return Math.min(retryAfterMs, HOLD_MAX_MS);
}

/** How long a delivery of a webhook held until `notBefore` still waits at `now` (ms); 0: not held. */
export function heldForMs(notBefore: Date | null, now: number): number {
  if (notBefore === null) return 0;
  return Math.max(0, Math.min(notBefore.getTime() - now, HOLD_MAX_MS));
}
