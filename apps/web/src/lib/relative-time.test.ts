import { describe, expect, it } from "vitest";
import { formatAbsolute, formatRelative } from "./relative-time";

describe("formatRelative", () => {
  const now = Date.parse("2026-12-07T01:00:00.000Z");
  it("says how long ago, or how long until, in minutes, hours or days", () => {
    expect(formatRelative("2026-12-07T00:59:40.000Z", now)).toBe("just now");
    expect(formatRelative("2026-12-07T00:57:00.000Z", now)).toBe("3 min ago");
    expect(formatRelative("2026-12-07T01:10:00.000Z", now)).toBe("in 10 min");
    expect(formatRelative("2026-12-06T22:00:00.000Z", now)).toBe("3 h ago");
    expect(formatRelative("2026-12-02T01:00:00.000Z", now)).toBe("5 d ago");
    expect(formatRelative("not a time", now)).toBe("not a time");
  });
});

describe("formatAbsolute", () => {
  it("gives the time in the browser's zone, with the zone", () => {
    // The test process runs in whatever zone the machine has: only the shape is fixed.
    expect(formatAbsolute("2026-12-07T01:02:03.000Z")).toMatch(/^2026-12-0[67] \d\d:\d\d:03 \S+$/);
  });
});
