import { randomUUID } from "node:crypto";
import { RATE_WINDOW_MS, rateSpacingMs } from "@hookyard/core";
import type { RedisConnection } from "@hookyard/queues";

/**
 * Per-webhook rate limits, shared by every worker process through Redis (decision 0021). Two keys
 * per webhook, hash-tagged on its id so that a cluster keeps them in one slot:
 *
 * - the window, a sorted set of requests: each scored by when it ended (Redis's clock), or, while
 *   in flight, by when it would time out at the latest. A request is let through while fewer than
 *   `limit` requests ended within the last window or are still in flight; so the next one after a
 *   full window starts no sooner than a window after one of them *ended*, which is after it reached
 *   the receiver: a receiver never sees more than `limit` requests in any span of RATE_WINDOW_MS.
 * - the waiting line, a sorted set of deferred deliveries scored by their slot: a delivery refused
 *   is given the slot after the last one waiting (spaced by the window over the limit), and one
 *   coming back is let through only if the deliveries ahead of it in the line still leave room,
 *   so deliveries go out about in the order they were refused (decision 0021 says what order holds).
 *
 * Only a webhook with a `rateLimit` ever comes here: one without costs no round trip.
 */
export interface RateLimiter {
  /** A permit to send now, or how long to wait (ms) before asking again for this delivery. */
  acquire(webhookId: string, limit: number, deliveryId: string): Promise<Permit | { waitMs: number }>;
}

export interface Permit {
  /** The request ended (answered or not): its place in the window counts from now. */
  ended(): void;
  /** Nothing went out: its place is given back. */
  unused(): void;
}

/** A waiting delivery whose job never came back (canceled meanwhile, a crash) gives up its place after this. */
const WAITING_FORGOTTEN_MS = 3 * RATE_WINDOW_MS;

const ACQUIRE = `
local window, line = KEYS[1], KEYS[2]
local limit, span, member, delivery = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local longest, spacing, forget = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', window, '-inf', now - span)
redis.call('ZREMRANGEBYSCORE', line, '-inf', now - forget)
local count = redis.call('ZCARD', window)
local mine = redis.call('ZSCORE', line, delivery)
local ahead
if mine then ahead = redis.call('ZCOUNT', line, '-inf', '(' .. mine) else ahead = redis.call('ZCARD', line) end
if count + ahead < limit then
  redis.call('ZADD', window, now + longest, member)
  redis.call('PEXPIRE', window, longest + span + 1000)
  if mine then redis.call('ZREM', line, delivery) end
  return 0
end
-- When room frees: a window after the oldest request that counts ended; one still in flight is
-- likely to end soon, so a window from now.
local oldest = redis.call('ZRANGE', window, 0, 0, 'WITHSCORES')[2]
local free = now + span
if oldest and tonumber(oldest) <= now then free = tonumber(oldest) + span end
if mine then
  -- Back for its slot and the line ahead is still full: it keeps its place and asks again then.
  return math.max(1, math.max(free, tonumber(mine)) - now)
end
local last = redis.call('ZRANGE', line, -1, -1, 'WITHSCORES')[2]
local slot = free
if last and tonumber(last) + spacing > slot then slot = tonumber(last) + spacing end
redis.call('ZADD', line, slot, delivery)
redis.call('PEXPIRE', line, slot - now + forget + span)
return math.max(1, slot - now)
`;

const ENDED = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[2] == '1' then
  redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
else
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
`;

interface LimiterCommands {
  hookyardRateAcquire(...args: (string | number)[]): Promise<number>;
  hookyardRateEnded(...args: (string | number)[]): Promise<number>;
}

export function createRateLimiter(
  connection: RedisConnection,
  options: { prefix: string; longestMs: number; onError: (error: unknown) => void },
): RateLimiter {
  connection.defineCommand("hookyardRateAcquire", { numberOfKeys: 2, lua: ACQUIRE });
  connection.defineCommand("hookyardRateEnded", { numberOfKeys: 1, lua: ENDED });
  const redis = connection as unknown as LimiterCommands;
  const keyOf = (webhookId: string, part: string) => `${options.prefix}:rate:{${webhookId}}:${part}`;
  // An in-flight request counts until it would time out at the latest, plus a margin for the
  // answer's way back: a worker that dies mid-request leaves the window no looser.
  const longest = options.longestMs + 1_000;

  return {
    async acquire(webhookId, limit, deliveryId) {
      const window = keyOf(webhookId, "window");
      const member = `${deliveryId}:${randomUUID()}`;
      const waitMs = await redis.hookyardRateAcquire(
        window,
        keyOf(webhookId, "line"),
        limit,
        RATE_WINDOW_MS,
        member,
        deliveryId,
        longest,
        rateSpacingMs(limit),
        WAITING_FORGOTTEN_MS,
      );
      if (waitMs > 0) return { waitMs };
      let done = false;
      // Not awaited: the request's place counts as in flight (stricter) until this lands.
      const end = (sent: boolean) => {
        if (done) return;
        done = true;
        redis.hookyardRateEnded(window, member, sent ? "1" : "0").catch(options.onError);
      };
      return { ended: () => end(true), unused: () => end(false) };
    },
  };
}
