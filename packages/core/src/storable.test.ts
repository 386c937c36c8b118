import { describe, expect, it } from "vitest";
import {
  checkStorableEvent,
  eventTime,
  eventTimeSeconds,
  findUnstorable,
  MAX_JSON_DEPTH,
  storableHeaders,
  storableText,
} from "./storable.js";

function nested(depth: number): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe("findUnstorable", () => {
  it("passes ordinary JSON, including paired surrogates (emoji) and other control characters", () => {
    expect(findUnstorable({ events: [{ tag: "1.0", note: "ship it 🚀", tab: "a\tb", n: 3, ok: true, x: null }] })).toBe(
      null,
    );
  });

  it.each([
    ["a NUL in a value", { events: [{ target: { tag: "a\u0000b" } }] }, "events[0].target.tag", "must not contain NUL"],
    ["a lone high surrogate", { actor: { name: "x\ud800" } }, "actor.name", "must not contain unpaired UTF-16"],
    ["a lone low surrogate", ["ok", "\udc00"], "[1]", "must not contain unpaired UTF-16"],
    ["a NUL in a key", { contents: { "k\u0000": 1 } }, "contents", "has a key that must not contain NUL"],
    ["a NUL as the whole body", "\u0000", "body", "must not contain NUL"],
  ])("names the field of %s", (_what, value, field, problem) => {
    const found = findUnstorable(value);
    expect(found?.field).toBe(field);
    expect(found?.message.startsWith(`${field}: ${problem}`)).toBe(true);
  });

  it("refuses nesting deeper than the limit and accepts it at the limit", () => {
    expect(findUnstorable(nested(MAX_JSON_DEPTH))).toBe(null);
    const found = findUnstorable(nested(MAX_JSON_DEPTH + 1));
    expect(found?.message).toMatch(/is nested deeper than 32 levels$/);
    expect(found?.field.startsWith("a.a.a")).toBe(true);
  });

  it("walks a hostile depth without overflowing its own stack", () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findUnstorable(deep, "query")?.message).toMatch(/nested deeper/);
  });

  it("names the whole input when it is the culprit", () => {
    expect(findUnstorable("\u0000", "query")).toMatchObject({ field: "query" });
  });
});

describe("event times", () => {
  it.each([
    ["2026-11-29T10:00:00Z", "2026-11-29T10:00:00.000Z"],
    ["2026-11-29T12:00:00.5+02:00", "2026-11-29T10:00:00.500Z"],
    ["1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"],
    ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z"],
  ])("reads %s as %s", (input, utc) => {
    expect(eventTime.parse(input)).toBe(utc);
  });

  it.each([
    "9999-12-31T23:59:59-23:59", // year 10000 in UTC: Postgres reads "+010000-…" as a zone
    "0000-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2026-11-29T10:00:00+25:00",
    "2026-11-29T10:00:00",
    "yesterday",
  ])("refuses %s", (input) => {
    expect(eventTime.safeParse(input).success).toBe(false);
  });

  it("takes epoch seconds inside the range only", () => {
    expect(eventTimeSeconds.parse(1_700_000_000)).toBe("2023-11-14T22:13:20.000Z");
    expect(eventTimeSeconds.safeParse(8.64e12).success).toBe(false);
    expect(eventTimeSeconds.safeParse(-1).success).toBe(false);
    expect(eventTimeSeconds.safeParse(1.5).success).toBe(false);
  });
});

describe("storableText", () => {
  it("replaces NULs and lone surrogates and keeps everything else", () => {
    expect(storableText("a\u0000b\ud800c 🚀")).toBe("a\uFFFDb\uFFFDc 🚀");
    expect(storableText("plain")).toBe("plain");
  });

  it("cleans header names and values", () => {
    expect(storableHeaders({ "x-a\u0000": "v\u0000" })).toEqual({ "x-a\uFFFD": "v\uFFFD" });
  });
});

describe("checkStorableEvent", () => {
  const ok = { dedupKey: "distribution:abc:TAG_PUSH", occurredAt: "2026-11-29T10:00:00.000Z" };

  it("passes an ordinary event", () => {
    expect(checkStorableEvent(ok, ["events", 0])).toBe(null);
  });

  it("refuses an overlong key and an out-of-range time, naming the event", () => {
    expect(checkStorableEvent({ ...ok, dedupKey: "x".repeat(1000) }, ["events", 2])?.message).toBe(
      "events[2]: id is longer than 256 characters",
    );
    expect(checkStorableEvent({ ...ok, occurredAt: "+010000-01-01T00:00:00.000Z" }, ["events", 0])?.field).toBe(
      "events[0]",
    );
  });
});
