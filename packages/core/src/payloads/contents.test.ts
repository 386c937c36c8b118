import { describe, expect, it } from "vitest";
import { type EventType, REGISTRY_EVENT_TYPES, type RegistryEventType } from "../event-types.js";
import { formatPath } from "../sources/first-issue.js";
import { nativeContentsSchema } from "./contents.js";

/** Where the first problem is, or null when the contents pass. */
function problem(type: EventType, contents: unknown): string | null {
  const result = nativeContentsSchema(type).safeParse(contents);
  if (result.success) return null;
  const issue = result.error.issues[0];
  return issue ? formatPath(issue.path) || "(root)" : "(root)";
}

const valid: Record<RegistryEventType, Record<string, unknown>> = {
  TAG_PUSH: { os: "linux", architecture: "amd64", author: "alice" },
  TAG_PULL: { author: "ci-bot" },
  TAG_DELETE: {},
  MANIFEST_PUSH: { os: "linux" },
  MANIFEST_PULL: {},
  MANIFEST_DELETE: { author: "alice" },
  SCAN_COMPLETED: {
    scanSummary: { critical: 0, major: 1, minor: 2, last_scan_status: 6, check_completed_at: "2026-11-23T10:05:00Z" },
  },
  SCAN_FAILED: { error: "layer sha256:... could not be read" },
  PROMOTION: { author: "alice", promotionPolicy: "to-prod", target: { repository: "acme/web-prod", tag: "1.0" } },
  PUSH_MIRRORING: {
    author: "mirror-bot",
    remote: { host: "registry.dr.example.com", repository: "acme/web", tag: "1.0" },
  },
  POLL_MIRRORING: { remote: { host: "docker.io", repository: "library/alpine" } },
  REPO_CREATED: { author: "alice", data: { name: "web", visibility: "private" } },
  REPO_UPDATED: { data: { name: "web", visibility: "public" } },
  REPO_DELETED: {},
  SCANNER_UPDATE_COMPLETED: {
    scanner_version: "2.4.0",
    scanner_updated_at: "2026-11-23T03:00:00Z",
    db_version: 412,
    db_updated_at: "2026-11-23T03:10:00Z",
    success: true,
    replicas: { a1b2c3: { db_updated_at: "2026-11-23T03:10:00Z", version: "412", replica_id: "a1b2c3" } },
  },
};

describe("nativeContentsSchema", () => {
  it.each(REGISTRY_EVENT_TYPES.map((type) => [type]))("accepts representative contents for %s", (type) => {
    expect(problem(type, valid[type])).toBeNull();
  });

  it("keeps what it accepts, unchanged", () => {
    for (const type of REGISTRY_EVENT_TYPES) {
      expect(nativeContentsSchema(type).parse(valid[type])).toStrictEqual(valid[type]);
    }
  });

  it.each([
    ["TAG_PUSH", {}],
    ["MANIFEST_DELETE", {}],
    ["REPO_DELETED", {}],
  ] as const)("lets %s go without contents", (type, contents) => {
    expect(problem(type, contents)).toBeNull();
  });

  it.each([
    ["SCAN_COMPLETED", {}, "scanSummary"],
    ["SCAN_COMPLETED", { scanSummary: { critical: 1, major: 2 } }, "scanSummary.minor"],
    ["SCAN_COMPLETED", { scanSummary: { critical: -1, major: 0, minor: 0 } }, "scanSummary.critical"],
    ["SCAN_COMPLETED", { scanSummary: { critical: 1.5, major: 0, minor: 0 } }, "scanSummary.critical"],
    [
      "SCAN_COMPLETED",
      { scanSummary: { critical: 0, major: 0, minor: 0, last_scan_status: 7 } },
      "scanSummary.last_scan_status",
    ],
    [
      "SCAN_COMPLETED",
      { scanSummary: { critical: 0, major: 0, minor: 0, check_completed_at: "today" } },
      "scanSummary.check_completed_at",
    ],
    ["SCAN_FAILED", {}, "error"],
    ["SCAN_FAILED", { error: "" }, "error"],
    ["PROMOTION", {}, "target"],
    ["PROMOTION", { target: { repository: "acme/web-prod" } }, "target.tag"],
    ["PROMOTION", { target: { repository: "web-prod", tag: "1.0" } }, "target.repository"],
    ["PROMOTION", { target: { repository: "acme/web-prod", tag: "1.0" }, promotionPolicy: 3 }, "promotionPolicy"],
    ["PUSH_MIRRORING", {}, "remote"],
    ["POLL_MIRRORING", { remote: { repository: "library/alpine" } }, "remote.host"],
    ["TAG_PUSH", { os: 1 }, "os"],
    ["TAG_PULL", { author: null }, "author"],
    ["REPO_CREATED", { data: "web" }, "data"],
    ["SCANNER_UPDATE_COMPLETED", {}, "scanner_version"],
    ["SCANNER_UPDATE_COMPLETED", { scanner_version: "2.4.0", db_version: "412", success: true }, "db_version"],
    ["SCANNER_UPDATE_COMPLETED", { scanner_version: "2.4.0", db_version: 412 }, "success"],
    [
      "SCANNER_UPDATE_COMPLETED",
      { scanner_version: "2.4.0", db_version: 412, success: true, replicas: { r1: { version: "412" } } },
      "replicas.r1.db_updated_at",
    ],
  ] as const)("refuses %s contents %j at %s", (type, contents, path) => {
    expect(problem(type, contents)).toBe(path);
  });

  it("refuses fields the shape does not have, rather than dropping them", () => {
    expect(problem("TAG_PUSH", { pushedAt: "2026-11-23T10:00:00Z" })).toBe("(root)");
    expect(problem("PROMOTION", { target: { repository: "acme/web-prod", tag: "1.0" }, promotion_policy: "x" })).toBe(
      "(root)",
    );
  });
});
