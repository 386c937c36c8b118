import { describe, expect, it } from "vitest";
import { ID_PREFIX, newId } from "./ids.js";

describe("newId", () => {
  it("says in its prefix what it names, so an id in a log line or a URL is recognisable", () => {
    expect(newId("webhook")).toMatch(/^wh_[0-9a-z]{26}$/);
    expect(newId("delivery")).toMatch(/^dlv_[0-9a-z]{26}$/);
    expect(newId("event")).toMatch(/^evt_[0-9a-z]{26}$/);
  });

  it("gives every kind a prefix of its own", () => {
    const prefixes = Object.values(ID_PREFIX);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it("makes ids that sort in the order they were made, even within one millisecond (lists page by id)", () => {
    const ids = Array.from({ length: 2_000 }, () => newId("delivery"));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
