import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RegistryEvent } from "../registry-event.js";
import { canonicalJson, contentHash } from "./content-hash.js";
import { MAX_NATIVE_EVENTS, parseNativeEvents } from "./native.js";

/* Native events as the contract describes them (POST /api/v1/events). */

const DIGEST = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
const RECEIVED = "2026-11-23T12:00:00.000Z";

const scanCompleted = {
  type: "SCAN_COMPLETED",
  repository: "acme/web",
  tag: "1.0",
  digest: DIGEST,
  id: "scan-42",
  occurredAt: "2026-11-23T10:05:00Z",
  contents: { scanSummary: { critical: 1, major: 2, minor: 3 } },
};

function parseOk(body: unknown) {
  const result = parseNativeEvents(body, RECEIVED);
  if (!result.ok) throw new Error(`expected the body to parse, got: ${result.message}`);
  return result;
}

function parseError(body: unknown) {
  const result = parseNativeEvents(body, RECEIVED);
  if (result.ok) throw new Error(`expected a failure, got ${result.events.length} events`);
  return result;
}

function one(body: unknown): RegistryEvent {
  const { events } = parseOk(body);
  expect(events).toHaveLength(1);
  return events[0] as RegistryEvent;
}

/** The field a refusal names, checked against its message too. */
function field(body: unknown): string {
  const error = parseError(body);
  expect(error.message.startsWith(error.field)).toBe(true);
  return error.field;
}

describe("parseNativeEvents: bodies", () => {
  it("reads one event", () => {
    expect(one(scanCompleted)).toStrictEqual({
      type: "SCAN_COMPLETED",
      dedupKey: "native:scan-42",
      source: "native",
      namespace: "acme",
      repository: "acme/web",
      tag: "1.0",
      digest: DIGEST,
      actor: null,
      occurredAt: "2026-11-23T10:05:00.000Z",
      data: { contents: { scanSummary: { critical: 1, major: 2, minor: 3 } } },
    });
  });

  it("reads {events: [...]} in order", () => {
    const second = { type: "TAG_PULL", repository: "acme/api", tag: "2.0", id: "pull-1" };
    const { events, ignored } = parseOk({ events: [scanCompleted, second] });
    expect(events.map((e) => e.type)).toEqual(["SCAN_COMPLETED", "TAG_PULL"]);
    expect(events[1]).toMatchObject({ repository: "acme/api", namespace: "acme", tag: "2.0", digest: null });
    expect(ignored).toBe(0);
  });

  it("accepts an empty list", () => {
    expect(parseNativeEvents({ events: [] }, RECEIVED)).toStrictEqual({ ok: true, events: [], ignored: 0 });
  });

  it(`takes up to ${MAX_NATIVE_EVENTS} events and refuses more, naming events`, () => {
    const event = (i: number) => ({ ...scanCompleted, id: `scan-${i}` });
    expect(parseOk({ events: Array.from({ length: MAX_NATIVE_EVENTS }, (_, i) => event(i)) }).events).toHaveLength(100);
    expect(field({ events: Array.from({ length: MAX_NATIVE_EVENTS + 1 }, (_, i) => event(i)) })).toBe("events");
  });

  it.each([
    ["a string", "SCAN_COMPLETED"],
    ["null", null],
    ["an array", [scanCompleted]],
    ["a number", 7],
  ])("rejects %s as the body", (_label, body) => {
    expect(field(body)).toBe("body");
  });

  it("rejects events that is not a list", () => {
    expect(field({ events: scanCompleted })).toBe("events");
  });

  it("rejects an unknown field, naming it", () => {
    expect(field({ ...scanCompleted, repo: "acme/web" })).toBe("repo");
    expect(field({ events: [scanCompleted, { ...scanCompleted, actor: "alice" }] })).toBe("events[1].actor");
  });

  it("takes null as an absent field", () => {
    const event = one({ ...scanCompleted, digest: null, namespace: null, occurredAt: null, id: null });
    expect(event).toMatchObject({ digest: null, namespace: "acme", occurredAt: RECEIVED });
  });
});

describe("parseNativeEvents: type", () => {
  it.each(["TAG_PUSHED", "tag_push", "", "REPO_EVENT"])("refuses the unknown type %j, naming type", (type) => {
    const error = parseError({ ...scanCompleted, type });
    expect(error.field).toBe("type");
    expect(error.message).toContain(`"${type}"`);
  });

  it("names the index of the event whose type is unknown", () => {
    expect(field({ events: [scanCompleted, { ...scanCompleted, type: "SCAN_DONE" }] })).toBe("events[1].type");
  });

  it("requires a type", () => {
    const { type: _omitted, ...event } = scanCompleted;
    expect(field({ events: [event] })).toBe("events[0].type");
  });
});

describe("parseNativeEvents: where an event lives", () => {
  it.each(["TAG_PUSH", "TAG_PULL", "TAG_DELETE", "MANIFEST_PUSH", "MANIFEST_PULL", "MANIFEST_DELETE"])(
    "requires a repository for %s",
    (type) => {
      expect(field({ type, tag: "1.0", digest: DIGEST })).toBe("repository");
    },
  );

  it.each(["Acme/Web", "noslash", "acme//web", "acme/web:1.0"])("refuses the repository name %j", (repository) => {
    expect(field({ events: [{ ...scanCompleted, repository }] })).toBe("events[0].repository");
  });

  it("accepts a namespace that agrees with the repository, and refuses one that does not", () => {
    expect(one({ ...scanCompleted, namespace: "acme" }).namespace).toBe("acme");
    expect(field({ ...scanCompleted, namespace: "other" })).toBe("namespace");
  });

  it("requires the tag of a TAG_* event and the digest of a MANIFEST_* event", () => {
    expect(field({ type: "TAG_PUSH", repository: "acme/web", digest: DIGEST })).toBe("tag");
    expect(field({ type: "MANIFEST_PUSH", repository: "acme/web", tag: "1.0" })).toBe("digest");
    expect(one({ type: "MANIFEST_PUSH", repository: "acme/web", digest: DIGEST }).tag).toBeNull();
  });

  it.each(["SCAN_FAILED", "PROMOTION", "PUSH_MIRRORING"])("requires a tag or a digest for %s", (type) => {
    expect(field({ type, repository: "acme/web" })).toBe("tag");
  });

  it.each([
    ["tag", "-bad"],
    ["tag", "a:b"],
    ["digest", "b5bb9d80"],
    ["digest", "sha256:short"],
  ])("refuses the %s %j", (name, value) => {
    expect(field({ ...scanCompleted, [name]: value })).toBe(name);
  });

  it("places REPO_* events on their namespace, with an optional repository in it", () => {
    const created = one({ type: "REPO_CREATED", namespace: "acme", repository: "acme/web", id: "r1" });
    expect(created).toMatchObject({ namespace: "acme", repository: "acme/web", tag: null, digest: null });
    expect(one({ type: "REPO_DELETED", namespace: "acme" })).toMatchObject({ namespace: "acme", repository: null });
  });

  it("refuses REPO_* events without a namespace, or with a repository of another one", () => {
    expect(field({ type: "REPO_UPDATED", repository: "acme/web" })).toBe("namespace");
    expect(field({ type: "REPO_UPDATED", namespace: "Acme" })).toBe("namespace");
    expect(field({ type: "REPO_UPDATED", namespace: "acme", repository: "other/web" })).toBe("repository");
    expect(field({ type: "REPO_UPDATED", namespace: "acme", tag: "1.0" })).toBe("tag");
  });

  const scannerUpdate = {
    type: "SCANNER_UPDATE_COMPLETED",
    contents: { scanner_version: "2.4.0", db_version: 412, success: true },
  };

  it("takes SCANNER_UPDATE_COMPLETED without repository or namespace", () => {
    expect(one(scannerUpdate)).toMatchObject({ namespace: null, repository: null, tag: null, digest: null });
  });

  it.each([
    ["repository", "acme/web"],
    ["namespace", "acme"],
    ["tag", "1.0"],
    ["digest", DIGEST],
  ])("refuses a %s on SCANNER_UPDATE_COMPLETED", (name, value) => {
    const error = parseError({ events: [{ ...scannerUpdate, [name]: value }] });
    expect(error.field).toBe(`events[0].${name}`);
    expect(error.message).toContain("global");
  });
});

describe("parseNativeEvents: contents", () => {
  it("names the field of the contents that is wrong", () => {
    const wrong = { ...scanCompleted, contents: { scanSummary: { critical: "1", major: 2, minor: 3 } } };
    const error = parseError({ events: [wrong] });
    expect(error.field).toBe("events[0].contents.scanSummary.critical");
    expect(error.message).toContain("events[0].contents.scanSummary.critical");
  });

  it("refuses a missing required field, and contents missing altogether", () => {
    expect(field({ ...scanCompleted, contents: { scanSummary: { critical: 1, major: 2 } } })).toBe(
      "contents.scanSummary.minor",
    );
    const { contents: _omitted, ...bare } = scanCompleted;
    expect(field(bare)).toBe("contents.scanSummary");
  });

  it("refuses a misspelt field of the contents, naming it", () => {
    const typo = { ...scanCompleted, contents: { scanSummary: { critical: 1, major: 2, minor: 3, minr: 0 } } };
    expect(field(typo)).toBe("contents.scanSummary.minr");
  });

  it("lets image events go without contents", () => {
    expect(one({ type: "TAG_PUSH", repository: "acme/web", tag: "1.0" }).data).toStrictEqual({ contents: {} });
  });

  it("takes the author of the contents as the event's actor", () => {
    const push = { type: "TAG_PUSH", repository: "acme/web", tag: "1.0", contents: { author: "alice", os: "linux" } };
    expect(one(push)).toMatchObject({ actor: "alice", data: { contents: { author: "alice", os: "linux" } } });
    expect(one({ ...push, contents: { author: "" } }).actor).toBeNull();
  });

  it("validates a promotion's target repository", () => {
    const promotion = {
      type: "PROMOTION",
      repository: "acme/web",
      tag: "1.0",
      contents: { target: { repository: "Acme/Prod", tag: "1.0" } },
    };
    expect(field(promotion)).toBe("contents.target.repository");
  });
});

describe("parseNativeEvents: time and dedup keys", () => {
  it("dates an event without occurredAt at receivedAt, and normalises a given one to UTC", () => {
    const { occurredAt: _omitted, ...undated } = scanCompleted;
    expect(one(undated).occurredAt).toBe(RECEIVED);
    expect(one({ ...scanCompleted, occurredAt: "2026-11-23T11:05:00+01:00" }).occurredAt).toBe(
      "2026-11-23T10:05:00.000Z",
    );
    expect(field({ ...scanCompleted, occurredAt: "yesterday" })).toBe("occurredAt");
  });

  it("keys an event with an id by that id", () => {
    expect(one(scanCompleted).dedupKey).toBe("native:scan-42");
    expect(one({ ...scanCompleted, type: "SCAN_FAILED", contents: { error: "boom" } }).dedupKey).toBe("native:scan-42");
  });

  it("keys an event without an id by a hash of the event as sent, whatever its key order", () => {
    const { id: _omitted, ...event } = scanCompleted;
    const reordered = Object.fromEntries(Object.entries(event).reverse());
    const key = one(event).dedupKey;
    expect(key).toBe(`native:sha256:${contentHash(event)}`);
    expect(one(reordered).dedupKey).toBe(key);
    // The defaulted time is not part of the identity, so a retry received later matches.
    const { occurredAt: _time, ...undated } = event;
    expect(parseNativeEvents(undated, "2026-11-24T00:00:00Z")).toMatchObject({
      events: [{ dedupKey: one(undated).dedupKey }],
    });
    expect(one({ ...event, tag: "2.0" }).dedupKey).not.toBe(key);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}',
    );
  });

  it("hashes with sha256", () => {
    expect(contentHash({ a: 1 })).toBe(createHash("sha256").update('{"a":1}').digest("hex"));
  });
});
