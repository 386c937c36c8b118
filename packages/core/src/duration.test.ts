import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["200ms", 200],
    ["0ms", 0],
    ["1s", 1_000],
    ["1.5s", 1_500],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["10s", 10_000],
    ["24h", 86_400_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("ignores surrounding whitespace", () => {
    expect(parseDuration(" 10s ")).toBe(10_000);
  });

  it.each(["", "10", "s", "1.5", "-1s", "1 s", "1sec", "1w", "1s2", ".5s", "1e3ms", "ten seconds"])(
    "refuses %j",
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe("formatDuration", () => {
  it.each([
    [200, "200ms"],
    [1_000, "1s"],
    [1_500, "1500ms"],
    [90_000, "90s"],
    [300_000, "5m"],
    [3_600_000, "1h"],
    [86_400_000, "1d"],
    [172_800_000, "2d"],
  ])("writes %d ms as %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("writes what parseDuration reads back", () => {
    for (const ms of [0, 1, 200, 1_000, 1_500, 90_000, 5 * 60_000, 36 * 3_600_000, 7 * 86_400_000]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
