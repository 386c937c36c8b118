import { describe, expect, it } from "vitest";
import { nextAttempt } from "./next-attempt.js";

const schedule = [60_000, 600_000];
const startedAt = new Date("2026-12-07T01:00:00.000Z");

describe("nextAttempt", () => {
  it("is the schedule's delay after the series' last attempt ended", () => {
    const last = { startedAt, durationMs: 500, responseHeaders: {} };
    expect(nextAttempt(schedule, { status: "pending", attemptCount: 1, seriesStart: 0, lastAttempt: last })).toEqual({
      nextAttemptAt: new Date("2026-12-07T01:01:00.500Z"),
      attemptsLeft: 2,
    });
    // A redelivery's series counts from its own start.
    expect(nextAttempt(schedule, { status: "pending", attemptCount: 5, seriesStart: 3, lastAttempt: last })).toEqual({
      nextAttemptAt: new Date("2026-12-07T01:10:00.500Z"),
      attemptsLeft: 1,
    });
  });

  it("takes a longer Retry-After, as the worker does", () => {
    const last = { startedAt, durationMs: 0, responseHeaders: { "retry-after": "3600" } };
    expect(
      nextAttempt(schedule, { status: "pending", attemptCount: 1, seriesStart: 0, lastAttempt: last }).nextAttemptAt,
    ).toEqual(new Date("2026-12-07T02:00:00.000Z"));
  });

  it("has no time before a series' first attempt, and nothing left once finished", () => {
    expect(nextAttempt(schedule, { status: "pending", attemptCount: 2, seriesStart: 2, lastAttempt: null })).toEqual({
      nextAttemptAt: null,
      attemptsLeft: 3,
    });
    const last = { startedAt, durationMs: 1, responseHeaders: null };
    expect(nextAttempt(schedule, { status: "failed", attemptCount: 3, seriesStart: 0, lastAttempt: last })).toEqual({
      nextAttemptAt: null,
      attemptsLeft: 0,
    });
  });
});
