import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_SCHEDULE,
  endsDelivery,
  maxAttempts,
  nextRetryDelay,
  parseRetryAfter,
  parseRetrySchedule,
  RETRY_AFTER_MAX_MS,
  withJitter,
} from "./retry-schedule.js";

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe("parseRetrySchedule", () => {
  it("parses the contract's example 200ms,500ms,1s", () => {
    expect(parseRetrySchedule("200ms,500ms,1s")).toEqual([200, 500, 1_000]);
  });

  it("tolerates spaces around entries", () => {
    expect(parseRetrySchedule(" 5s , 5m,2h ")).toEqual([5 * SECOND, 5 * MINUTE, 2 * HOUR]);
  });

  it("reads an empty value as no retries (one attempt)", () => {
    expect(parseRetrySchedule("")).toEqual([]);
    expect(parseRetrySchedule("   ")).toEqual([]);
    expect(maxAttempts([])).toBe(1);
  });

  it.each(["200ms,soon", "1s,,2s", "1s,", ",1s", "10", "-1s", "1 s", "5 minutes", "1s;2s"])("refuses %j", (text) => {
    expect(parseRetrySchedule(text)).toBeNull();
  });
});

describe("the default schedule", () => {
  // Svix's schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
  const svix = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

  it("parses", () => {
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).not.toBeNull();
  });

  it("is Svix's schedule: seven retries, eight attempts", () => {
    const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE) ?? [];
    expect(schedule).toEqual(svix);
    expect(schedule).toHaveLength(7);
    expect(maxAttempts(schedule)).toBe(8);
  });

  it("keeps retrying for about 28 hours, so a receiver down for a day still gets the event", () => {
    const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE) ?? [];
    const total = schedule.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBe(27 * HOUR + 35 * MINUTE + 5 * SECOND);
    expect(total).toBeGreaterThan(24 * HOUR);
  });

  it("never shrinks from one retry to the next", () => {
    const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE) ?? [];
    for (let i = 1; i < schedule.length; i++) expect(schedule[i]).toBeGreaterThanOrEqual(schedule[i - 1] as number);
  });
});

describe("nextRetryDelay", () => {
  const schedule = [200, 500, 1_000];

  it("follows the schedule attempt by attempt", () => {
    expect(nextRetryDelay(schedule, 1)).toBe(200);
    expect(nextRetryDelay(schedule, 2)).toBe(500);
    expect(nextRetryDelay(schedule, 3)).toBe(1_000);
  });

  it("gives up after the last attempt (schedule length + 1)", () => {
    expect(maxAttempts(schedule)).toBe(4);
    expect(nextRetryDelay(schedule, 4)).toBeNull();
    expect(nextRetryDelay(schedule, 5)).toBeNull();
    expect(nextRetryDelay([], 1)).toBeNull();
  });

  it("does not let a Retry-After bring back a delivery that has no attempt left", () => {
    expect(nextRetryDelay(schedule, 4, 30 * SECOND)).toBeNull();
  });

  it("waits as long as a Retry-After asks when that is longer than planned", () => {
    expect(nextRetryDelay(schedule, 1, 30 * SECOND)).toBe(30 * SECOND);
    expect(nextRetryDelay(schedule, 3, 2 * HOUR)).toBe(2 * HOUR);
  });

  it("ignores a Retry-After shorter than planned", () => {
    expect(nextRetryDelay(schedule, 2, 100)).toBe(500);
    expect(nextRetryDelay(schedule, 2, 0)).toBe(500);
  });

  it("uses the plan when there is no Retry-After", () => {
    expect(nextRetryDelay(schedule, 2, null)).toBe(500);
    expect(nextRetryDelay(schedule, 2, undefined)).toBe(500);
  });

  it("caps a very long Retry-After so one answer cannot park a delivery", () => {
    expect(RETRY_AFTER_MAX_MS).toBeGreaterThan(0);
    expect(RETRY_AFTER_MAX_MS).toBeLessThanOrEqual(24 * HOUR);
    expect(nextRetryDelay(schedule, 1, 30 * 24 * HOUR)).toBe(RETRY_AFTER_MAX_MS);
  });

  it("never retries earlier than planned because of a Retry-After", () => {
    // Planned 30 h (above the 24 h cap); the receiver asks for 48 h: neither wants a retry before 30 h.
    const longSchedule = [30 * HOUR];
    expect(nextRetryDelay(longSchedule, 1, 48 * HOUR)).toBeGreaterThanOrEqual(30 * HOUR);
  });
});

describe("parseRetryAfter", () => {
  const now = new Date(Date.UTC(2015, 9, 21, 7, 27, 0));

  it("reads delta-seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120 * SECOND);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 5 ", now)).toBe(5 * SECOND);
  });

  it("reads an HTTP date as the time left until then", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).toBe(60 * SECOND);
  });

  it("reads an HTTP date in the past as now", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now)).toBe(0);
  });

  it("ignores a missing or unreadable header", () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter("", now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });

  it("feeds nextRetryDelay: a 2-minute Retry-After beats a 5-second plan", () => {
    expect(nextRetryDelay([5 * SECOND], 1, parseRetryAfter("120", now))).toBe(120 * SECOND);
  });
});

describe("jitter and the answers that end a delivery", () => {
  it("spreads a scheduled delay by at most a fifth either way", () => {
    expect(withJitter(10_000, () => 0)).toBe(8_000);
    expect(withJitter(10_000, () => 1)).toBe(12_000);
    expect(withJitter(10_000, () => 0.5)).toBe(10_000);
    for (let i = 0; i < 1_000; i++) {
      const delay = withJitter(300_000);
      expect(delay).toBeGreaterThanOrEqual(240_000);
      expect(delay).toBeLessThanOrEqual(360_000);
    }
  });

  it("spreads the schedule's delay, never a receiver's longer Retry-After", () => {
    const low = (ms: number) => withJitter(ms, () => 0);
    expect(nextRetryDelay([10_000], 1, null, low)).toBe(8_000);
    expect(nextRetryDelay([10_000], 1, 60_000, low)).toBe(60_000);
  });

  it("ends a delivery on 410 and 413 only; every other answer, 4xx included, is retried", () => {
    expect([400, 401, 403, 404, 408, 409, 410, 413, 422, 429, 500, 502, 503, null].filter(endsDelivery)).toEqual([
      410, 413,
    ]);
  });
});
