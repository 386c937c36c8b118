import { describe, expect, it } from "vitest";
import { EVENT_TYPES, eventLevel, isEventType, OPERATIONAL_EVENT_TYPES, REGISTRY_EVENT_TYPES } from "./event-types.js";

describe("event types", () => {
  it("are the 15 types of the DTR table, each once, and Hookyard's 4 own", () => {
    expect([...OPERATIONAL_EVENT_TYPES].sort()).toEqual(
      ["CHAIN_RUN_ENDED", "DELIVERY_EXHAUSTED", "WEBHOOK_DISABLED", "WEBHOOK_ENABLED"].sort(),
    );
    expect([...EVENT_TYPES].sort()).toEqual([...REGISTRY_EVENT_TYPES, ...OPERATIONAL_EVENT_TYPES].sort());
    expect([...REGISTRY_EVENT_TYPES].sort()).toEqual(
      [
        "TAG_PUSH",
        "TAG_PULL",
        "TAG_DELETE",
        "MANIFEST_PUSH",
        "MANIFEST_PULL",
        "MANIFEST_DELETE",
        "SCAN_COMPLETED",
        "SCAN_FAILED",
        "PROMOTION",
        "PUSH_MIRRORING",
        "POLL_MIRRORING",
        "REPO_CREATED",
        "REPO_UPDATED",
        "REPO_DELETED",
        "SCANNER_UPDATE_COMPLETED",
      ].sort(),
    );
  });

  it("recognises exactly those names", () => {
    expect(isEventType("TAG_PUSH")).toBe(true);
    expect(isEventType("SCANNER_UPDATE_COMPLETED")).toBe(true);
    expect(isEventType("tag_push")).toBe(false);
    expect(isEventType("REPO_EVENT")).toBe(false);
    expect(isEventType("")).toBe(false);
  });

  it("places each type at the level of the DTR table", () => {
    expect(eventLevel("TAG_PULL")).toBe("repository");
    expect(eventLevel("MANIFEST_DELETE")).toBe("repository");
    expect(eventLevel("SCAN_COMPLETED")).toBe("repository");
    expect(eventLevel("PROMOTION")).toBe("repository");
    expect(eventLevel("PUSH_MIRRORING")).toBe("repository");
    expect(eventLevel("POLL_MIRRORING")).toBe("repository");
    expect(eventLevel("REPO_CREATED")).toBe("namespace");
    expect(eventLevel("REPO_UPDATED")).toBe("namespace");
    expect(eventLevel("REPO_DELETED")).toBe("namespace");
    expect(eventLevel("SCANNER_UPDATE_COMPLETED")).toBe("global");
  });
});
