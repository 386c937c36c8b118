import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createRateLimiter, type Permit } from "./rate-limiter.js";

// The machine's real Redis, under a prefix of this test's own.
const redis = new Redis("redis://127.0.0.1:6379");
const prefix = `hy-test-rate-${randomBytes(5).toString("hex")}`;
const errors: unknown[] = [];
const limiter = createRateLimiter(redis, { prefix, longestMs: 2_000, onError: (error) => errors.push(error) });

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function permitOf(verdict: Permit | { waitMs: number }): Permit {
  if ("waitMs" in verdict) throw new Error(`refused for ${verdict.waitMs} ms`);
  return verdict;
}

describe("rate limiter (a window in Redis)", () => {
  it("lets `limit` through, then refuses, giving later refusals later slots", async () => {
    const webhook = "wh_a";
    const first = permitOf(await limiter.acquire(webhook, 2, "d1"));
    const second = permitOf(await limiter.acquire(webhook, 2, "d2"));
    const third = await limiter.acquire(webhook, 2, "d3");
    const fourth = await limiter.acquire(webhook, 2, "d4");
    expect("waitMs" in third && "waitMs" in fourth).toBe(true);
    const [w3, w4] = [third, fourth].map((v) => ("waitMs" in v ? v.waitMs : 0)) as [number, number];
    // In flight, a request counts until a window after it ends: about a window from now.
    expect(w3).toBeGreaterThan(500);
    // Its slot is half a window (the window over the limit) after d3's, asked a moment later.
    expect(w4).toBeGreaterThan(w3 + 400);
    first.ended();
    second.ended();
    expect(errors).toEqual([]);
  });

  it("keeps a waiting delivery's place: one behind it that comes back first is refused, it is let through", async () => {
    const webhook = "wh_b";
    const first = permitOf(await limiter.acquire(webhook, 1, "d1"));
    const second = await limiter.acquire(webhook, 1, "d2");
    const third = await limiter.acquire(webhook, 1, "d3");
    expect("waitMs" in second && "waitMs" in third).toBe(true);
    first.ended();
    // Past d2's slot (a window after d1 ended, and the moment d1's end takes to land).
    await sleep(("waitMs" in second ? second.waitMs : 0) + 200);
    // d3 is early, and d2 is ahead of it in line: d3 waits, d2 goes.
    expect("waitMs" in (await limiter.acquire(webhook, 1, "d3"))).toBe(true);
    permitOf(await limiter.acquire(webhook, 1, "d2")).ended();
    expect(errors).toEqual([]);
  });

  it("gives an unused permit's place back", async () => {
    const webhook = "wh_c";
    permitOf(await limiter.acquire(webhook, 1, "d1")).unused();
    // The give-back is not awaited by the sender; it lands in Redis a moment later.
    let verdict = await limiter.acquire(webhook, 1, "d2");
    for (let i = 0; i < 50 && "waitMs" in verdict; i++) {
      await sleep(10);
      verdict = await limiter.acquire(webhook, 1, "d2");
    }
    expect("waitMs" in verdict).toBe(false);
  });

  it("keeps every webhook's keys in one cluster slot (a hash tag on its id)", async () => {
    const keys = await redis.keys(`${prefix}:rate:{wh_a}:*`);
    expect(keys.sort()).toEqual([`${prefix}:rate:{wh_a}:line`, `${prefix}:rate:{wh_a}:window`]);
  });
});
