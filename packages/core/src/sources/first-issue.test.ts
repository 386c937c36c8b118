import { describe, expect, it } from "vitest";
import { z } from "zod";
import { firstIssue, formatPath } from "./first-issue.js";

describe("formatPath", () => {
  it("writes a path the way a JSON body is read", () => {
    expect(formatPath(["events", 0, "target", "repository"])).toBe("events[0].target.repository");
    expect(formatPath(["events"])).toBe("events");
    expect(formatPath([])).toBe("");
  });
});

describe("firstIssue", () => {
  it("names the field that is wrong", () => {
    const result = z.object({ events: z.array(z.object({ id: z.string() })) }).safeParse({ events: [{ id: 1 }] });
    if (result.success) throw new Error("expected a failure");
    const issue = firstIssue(result.error);
    expect(issue.ok).toBe(false);
    expect(issue.field).toBe("events[0].id");
    expect(issue.message.startsWith("events[0].id")).toBe(true);
  });

  it("names the body when the whole body is wrong", () => {
    const result = z.object({ events: z.array(z.unknown()) }).safeParse("text");
    if (result.success) throw new Error("expected a failure");
    expect(firstIssue(result.error).field).toBe("body");
  });
});
