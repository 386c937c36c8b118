import { describe, expect, it } from "vitest";
import { HOLD_MAX_MS, heldForMs, holdAfterAnswer, RATE_LIMIT_MAX, rateSpacingMs } from "./rate-limit.js";

describe("holdAfterAnswer", () => {
  it("holds a webhook for a 429's Retry-After", () => {
    expect(holdAfterAnswer(429, 2_000)).toBe(2_000);
  });

  it("caps the hold at an hour", () => {
    expect(holdAfterAnswer(429, 24 * 3_600_000)).toBe(HOLD_MAX_MS);
  });

  it("does not hold for a 429 without Retry-After, nor for other answers with one", () => {
    expect(holdAfterAnswer(429, null)).toBeNull();
    expect(holdAfterAnswer(429, 0)).toBeNull();
    expect(holdAfterAnswer(503, 2_000)).toBeNull();
    expect(holdAfterAnswer(null, 2_000)).toBeNull();
  });
});

describe("heldForMs", () => {
  it("is what is left of the hold, and 0 once it passed or when there is none", () => {
    const now = Date.parse("2026-12-07T00:00:00Z");
    expect(heldForMs(new Date(now + 1_500), now)).toBe(1_500);
    expect(heldForMs(new Date(now - 1), now)).toBe(0);
    expect(heldForMs(null, now)).toBe(0);
  });

  it("never waits longer than the cap, whatever the column says", () => {
    const now = Date.parse("2026-12-07T00:00:00Z");
    expect(heldForMs(new Date(now + 10 * HOLD_MAX_MS), now)).toBe(HOLD_MAX_MS);
  });
});

describe("rateSpacingMs", () => {
  it("spaces deferred deliveries by the window over the limit, never 0", () => {
    expect(rateSpacingMs(5)).toBe(200);
    expect(rateSpacingMs(3)).toBe(334);
    expect(rateSpacingMs(RATE_LIMIT_MAX)).toBe(1);
  });
});
