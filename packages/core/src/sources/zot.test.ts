import { fixtureFiles, readFixture, type ZotFixture } from "@hookyard/testkit";
import { describe, expect, it } from "vitest";
import type { ParseResult, RegistryEvent } from "../registry-event.js";
import { parseZotEvent } from "./zot.js";

/*
 * The fixtures are what Zot sends (__fixtures__/zot/README.md names the source of each): binary
 * mode from its HTTP sink, structured mode as its NATS sink serializes the event.
 */

type Fixture = ZotFixture;

const NAMES = fixtureFiles("zot").map((file) => file.slice(0, -".json".length));

const fixture = (name: string): Fixture => readFixture("zot", `${name}.json`);

/** As Node hands headers to the route: lowercase names. */
function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function parse(f: Fixture): ParseResult {
  const headers = lower(f.headers);
  return parseZotEvent(f.body, headers["content-type"] ?? "", headers);
}

function parseOk(f: Fixture) {
  const result = parse(f);
  if (!result.ok) throw new Error(`expected the event to parse, got: ${result.message}`);
  return result;
}

function parseError(f: Fixture) {
  const result = parse(f);
  if (result.ok) throw new Error(`expected a failure, got ${result.events.length} events`);
  return result;
}

const WEB_10 = "sha256:844c4485fee12a61908912000db57a34c1ea052d9b0f666b03a9979f5d085fd9";
const WEB_ARM = "sha256:7e032eae0a48e0ff9c3288a8c8a94e83245c99784a336191e46336171964a1b3";
const API_230 = "sha256:0ccf9e273900c05ad16d6953eb8ae7ef3c8d9bbde123e7a4d738d517d98c646a";
const OCI = "application/vnd.oci.image.manifest.v1+json";

/** Every fixture's events, in full. */
const EXPECTED: Record<string, { events: RegistryEvent[]; ignored: number }> = {
  "binary-repository-created": {
    ignored: 0,
    events: [
      {
        type: "REPO_CREATED",
        dedupKey: "zot:zotregistry.dev:0b6e2f9c-8a51-4f0e-9d3b-6c1a7e52d4f8:REPO_CREATED",
        source: "zot",
        namespace: "acme",
        repository: "acme/web",
        tag: null,
        digest: null,
        actor: "alice",
        occurredAt: "2026-11-23T10:00:00.123Z",
        data: { data: { name: "web", namespace: "acme" }, channel: "registry-events" },
      },
    ],
  },
  "binary-image-updated-tag": {
    ignored: 0,
    events: (["MANIFEST_PUSH", "TAG_PUSH"] as const).map(
      (type): RegistryEvent => ({
        type,
        dedupKey: `zot:zotregistry.dev:5f0c1f3e-2b7d-4c8a-9e61-0d4b8a3c7f12:${type}`,
        source: "zot",
        namespace: "acme",
        repository: "acme/web",
        tag: type === "TAG_PUSH" ? "1.0" : null,
        digest: WEB_10,
        actor: "alice",
        occurredAt: "2026-11-23T10:00:01.250Z",
        data: { mediaType: OCI, reference: "1.0", channel: null },
      }),
    ),
  },
  "binary-image-updated-digest": {
    ignored: 0,
    events: [
      {
        type: "MANIFEST_PUSH",
        dedupKey: "zot:zotregistry.dev:8d2a6b41-93c7-4e05-b1f8-2c6e9d0a5b73:MANIFEST_PUSH",
        source: "zot",
        namespace: "acme",
        repository: "acme/web",
        tag: null,
        digest: WEB_ARM,
        actor: "ci-bot",
        occurredAt: "2026-11-23T10:00:02.004Z",
        data: { mediaType: OCI, reference: WEB_ARM, channel: null },
      },
    ],
  },
  "binary-image-scanned": {
    ignored: 0,
    events: [
      {
        type: "SCAN_COMPLETED",
        dedupKey: "zot:zotregistry.dev:c3e9a0d7-1f64-4b2e-8a57-9b0d3f6e2c18:SCAN_COMPLETED",
        source: "zot",
        namespace: "acme",
        repository: "acme/web",
        tag: "1.0",
        digest: WEB_10,
        actor: null,
        occurredAt: "2026-11-23T10:00:09.861Z",
        data: {
          mediaType: OCI,
          reference: "1.0",
          channel: null,
          // 1 critical + 1 high; 2 medium; 2 low; the unknown one is not counted.
          scanSummary: {
            critical: 2,
            major: 2,
            minor: 2,
            last_scan_status: 6,
            check_completed_at: "2026-11-23T10:00:09.861Z",
          },
        },
      },
    ],
  },
  "binary-image-lint-failed": { ignored: 1, events: [] },
  "binary-image-deleted-tag": {
    ignored: 0,
    events: [
      {
        type: "TAG_DELETE",
        dedupKey: "zot:zotregistry.dev:1a7d3e92-4c08-4f6b-a2d5-8e0b6c3f9a41:TAG_DELETE",
        source: "zot",
        namespace: "acme",
        repository: "acme/web",
        tag: "1.0",
        digest: WEB_10,
        actor: "alice",
        occurredAt: "2026-11-23T10:00:20.700Z",
        data: { mediaType: OCI, reference: "1.0", channel: null },
      },
    ],
  },
  "binary-image-deleted-digest": {
    ignored: 0,
    events: [
      {
        type: "MANIFEST_DELETE",
        dedupKey: "zot:zotregistry.dev:9f4c2b18-7e3a-4d61-8c0f-3b5e1d7a2c96:MANIFEST_DELETE",
        source: "zot",
        namespace: "acme",
        repository: "acme/web",
        tag: null,
        digest: WEB_ARM,
        actor: "alice",
        occurredAt: "2026-11-23T10:00:21.518Z",
        data: { mediaType: OCI, reference: WEB_ARM, channel: null },
      },
    ],
  },
  "binary-image-updated-no-namespace": { ignored: 1, events: [] },
  "structured-repository-created": {
    ignored: 0,
    events: [
      {
        type: "REPO_CREATED",
        dedupKey: "zot:zotregistry.dev:2c5e8b70-d1a4-4e93-b6f2-7a0c9e3d5b81:REPO_CREATED",
        source: "zot",
        namespace: "acme",
        repository: "acme/api",
        tag: null,
        digest: null,
        actor: "bob",
        occurredAt: "2026-11-23T10:01:00.314Z",
        data: { data: { name: "api", namespace: "acme" }, channel: null },
      },
    ],
  },
  "structured-image-updated-tag": {
    ignored: 0,
    events: (["MANIFEST_PUSH", "TAG_PUSH"] as const).map(
      (type): RegistryEvent => ({
        type,
        dedupKey: `zot:zotregistry.dev:7b1d9e34-0c52-4a8f-bd6e-1f3a5c7e9b20:${type}`,
        source: "zot",
        namespace: "acme",
        repository: "acme/api",
        tag: type === "TAG_PUSH" ? "2.3.0" : null,
        digest: API_230,
        actor: "bob",
        occurredAt: "2026-11-23T10:01:01.500Z",
        data: { mediaType: OCI, reference: "2.3.0", channel: null },
      }),
    ),
  },
  "structured-image-scanned-digest": {
    ignored: 0,
    events: [
      {
        type: "SCAN_COMPLETED",
        dedupKey: "zot:zotregistry.dev:d48f1a6c-3e97-4b20-a5d1-6c8e0f2b4a73:SCAN_COMPLETED",
        source: "zot",
        namespace: "acme",
        repository: "acme/web",
        tag: null,
        digest: WEB_ARM,
        actor: null,
        occurredAt: "2026-11-23T10:01:08.271Z",
        data: {
          mediaType: OCI,
          reference: WEB_ARM,
          channel: null,
          scanSummary: {
            critical: 0,
            major: 0,
            minor: 0,
            last_scan_status: 6,
            check_completed_at: "2026-11-23T10:01:08.271Z",
          },
        },
      },
    ],
  },
  "structured-image-deleted-digest": {
    ignored: 0,
    events: [
      {
        type: "MANIFEST_DELETE",
        dedupKey: "zot:zotregistry.dev:a05e7c29-8b14-4d3f-9a6e-2d7b0c5f8e13:MANIFEST_DELETE",
        source: "zot",
        namespace: "acme",
        repository: "acme/api",
        tag: null,
        digest: API_230,
        actor: "bob",
        occurredAt: "2026-11-23T10:01:20.999Z",
        data: { mediaType: OCI, reference: API_230, channel: null },
      },
    ],
  },
  "structured-image-lint-failed": { ignored: 1, events: [] },
};

describe("parseZotEvent: the fixtures", () => {
  it("has an expectation for every fixture", () => {
    expect(NAMES).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(NAMES)("%s", (name) => {
    const result = parseOk(fixture(name));
    expect(result).toStrictEqual({ ok: true, ...EXPECTED[name] });
  });

  it("reads a binary event whatever the case of its header names", () => {
    const f = fixture("binary-image-updated-tag");
    const result = parseZotEvent(f.body, "application/json", f.headers);
    expect(result).toStrictEqual({ ok: true, ...EXPECTED["binary-image-updated-tag"] });
  });

  it("reads structured mode with a charset and in any case of the media type", () => {
    const f = fixture("structured-image-deleted-digest");
    for (const contentType of ["application/cloudevents+json; charset=utf-8", "Application/CloudEvents+JSON"]) {
      expect(parseZotEvent(f.body, contentType, { "content-type": contentType })).toMatchObject({
        ok: true,
        events: [{ type: "MANIFEST_DELETE" }],
      });
    }
  });

  it("gives the same event the same keys in both modes, and another id other keys", () => {
    const f = fixture("binary-image-deleted-digest");
    const headers = lower(f.headers);
    const structured = {
      specversion: "1.0",
      id: headers["ce-id"],
      source: headers["ce-source"],
      type: headers["ce-type"],
      datacontenttype: "application/json",
      time: headers["ce-time"],
      data: f.body,
    };
    const fromStructured = parseOk({ mode: "structured", headers: { "content-type": CE }, body: structured });
    const fromBinary = parseOk(f);
    expect(fromStructured.events.map((e) => e.dedupKey)).toEqual(fromBinary.events.map((e) => e.dedupKey));
    const other = parseOk({ ...f, headers: { ...f.headers, "Ce-Id": "another" } });
    expect(other.events[0]?.dedupKey).not.toBe(fromBinary.events[0]?.dedupKey);
    const elsewhere = parseOk({ ...f, headers: { ...f.headers, "Ce-Source": "zot.eu.example.com" } });
    expect(elsewhere.events[0]?.dedupKey).toBe(
      "zot:zot.eu.example.com:9f4c2b18-7e3a-4d61-8c0f-3b5e1d7a2c96:MANIFEST_DELETE",
    );
  });
});

const CE = "application/cloudevents+json";

/** A fixture changed in its headers (binary) or its body's attributes or data. */
function binaryWith(
  name: string,
  headers: Record<string, string | undefined>,
  data?: Record<string, unknown>,
): Fixture {
  const f = fixture(name);
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...lower(f.headers), ...headers })) if (v !== undefined) merged[k] = v;
  return { mode: "binary", headers: merged, body: data === undefined ? f.body : { ...f.body, ...data } };
}

function structuredWith(name: string, attributes: Record<string, unknown>, data?: Record<string, unknown>): Fixture {
  const f = fixture(name);
  const body = { ...f.body, ...attributes };
  if (data) body.data = { ...f.body.data, ...data };
  for (const [k, v] of Object.entries(attributes)) if (v === undefined) delete body[k];
  return { mode: "structured", headers: { "content-type": CE }, body };
}

describe("parseZotEvent: types", () => {
  it("ignores, and counts, a type it does not map", () => {
    const unknown = ["zotregistry.image.pulled", "zotregistry.repository.deleted", "com.example.other"];
    for (const type of [...unknown, "constructor", "__proto__", "toString"]) {
      expect(parseOk(binaryWith("binary-image-updated-tag", { "ce-type": type }))).toEqual({
        ok: true,
        events: [],
        ignored: 1,
      });
      expect(parseOk(structuredWith("structured-image-updated-tag", { type }))).toMatchObject({ ignored: 1 });
    }
  });

  it("ignores an unknown type whatever its data, but still refuses a broken envelope", () => {
    expect(parseOk(binaryWith("binary-image-updated-tag", { "ce-type": "x.y" }, { name: 42 }))).toMatchObject({
      ignored: 1,
    });
    expect(parseError(binaryWith("binary-image-updated-tag", { "ce-type": "x.y", "ce-id": undefined })).field).toBe(
      "ce-id",
    );
  });

  it("takes a push by digest for a manifest push only, and a delete by tag for a tag delete only", () => {
    expect(parseOk(fixture("binary-image-updated-digest")).events.map((e) => e.type)).toEqual(["MANIFEST_PUSH"]);
    expect(parseOk(fixture("binary-image-deleted-tag")).events.map((e) => e.type)).toEqual(["TAG_DELETE"]);
  });

  it("takes an anonymous push (no actor) as having no actor", () => {
    const f = binaryWith("binary-image-updated-tag", {});
    delete f.body.actor;
    expect(parseOk(f).events.map((e) => e.actor)).toEqual([null, null]);
  });

  it("keeps the sink's channel extension", () => {
    const f = binaryWith("binary-image-deleted-tag", { "ce-channel": "prod" });
    expect(parseOk(f).events[0]?.data).toMatchObject({ channel: "prod" });
    const s = structuredWith("structured-image-deleted-digest", { channel: "prod" });
    expect(parseOk(s).events[0]?.data).toMatchObject({ channel: "prod" });
  });
});

describe("parseZotEvent: refusals name the field", () => {
  const binaryCases: Array<[string, Record<string, string | undefined>, Record<string, unknown> | undefined, string]> =
    [
      ["no ce-id", { "ce-id": undefined }, undefined, "ce-id"],
      ["no ce-source", { "ce-source": undefined }, undefined, "ce-source"],
      ["no ce-type", { "ce-type": undefined }, undefined, "ce-type"],
      ["no ce-specversion", { "ce-specversion": undefined }, undefined, "ce-specversion"],
      ["CloudEvents 0.3", { "ce-specversion": "0.3" }, undefined, "ce-specversion"],
      ["no ce-time", { "ce-time": undefined }, undefined, "ce-time"],
      ["an unreadable ce-time", { "ce-time": "yesterday" }, undefined, "ce-time"],
      ["a ce-time outside the stored range", { "ce-time": "1969-07-20T20:17:40Z" }, undefined, "ce-time"],
      ["an id longer than 256", { "ce-id": "i".repeat(257) }, undefined, "ce-id"],
      ["a source that is no URI reference", { "ce-source": "zot registry" }, undefined, "ce-source"],
      ["an extension with an invalid name", { "ce-zot_region": "eu" }, undefined, "ce-zot_region"],
      ["no data.name", {}, { name: undefined }, "data.name"],
      ["a data.name that is no repository name", {}, { name: "Acme/Web" }, "data.name"],
      ["no data.reference", {}, { reference: undefined }, "data.reference"],
      ["a data.reference that is neither tag nor digest", {}, { reference: "1.0/x" }, "data.reference"],
      ["an empty data.digest", {}, { digest: "" }, "data.digest"],
      ["a data.actor that is no object", {}, { actor: "alice" }, "data.actor"],
    ];

  it.each(binaryCases)("binary mode: %s", (_what, headers, data, field) => {
    const result = parseError(binaryWith("binary-image-updated-tag", headers, data));
    expect(result.field).toBe(field);
    expect(result.message).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")}: `));
  });

  const structuredCases: Array<[string, Record<string, unknown>, Record<string, unknown> | undefined, string]> = [
    ["no id", { id: undefined }, undefined, "id"],
    ["an empty id", { id: "" }, undefined, "id"],
    ["a numeric id", { id: 7 }, undefined, "id"],
    ["no time", { time: undefined }, undefined, "time"],
    ["a time without an offset", { time: "2026-11-23T10:00:00" }, undefined, "time"],
    ["CloudEvents 0.3", { specversion: "0.3" }, undefined, "specversion"],
    ["a subject that is no string", { subject: {} }, undefined, "subject"],
    ["an attribute with capitals", { Region: "eu" }, undefined, "Region"],
    ["no data", { data: undefined }, undefined, "data"],
    ["a string as data", { data: "acme/web" }, undefined, "data"],
    ["a data.summary count that is negative", {}, { summary: { lowCount: -1 } }, "data.summary.lowCount"],
  ];

  it.each(structuredCases)("structured mode: %s", (_what, attributes, data, field) => {
    const name = field.startsWith("data.summary") ? "structured-image-scanned-digest" : "structured-image-updated-tag";
    const f = structuredWith(name, attributes, data);
    if (data?.summary) f.body.data.summary = { ...fixture(name).body.data.summary, ...(data.summary as object) };
    expect(parseError(f).field).toBe(field);
  });

  it("refuses a scan without its counts", () => {
    const f = fixture("binary-image-scanned");
    delete f.body.summary;
    expect(parseError(f).field).toBe("data.summary");
    const partial = fixture("binary-image-scanned");
    delete partial.body.summary.highCount;
    expect(parseError(partial).field).toBe("data.summary.highCount");
  });

  it("refuses a structured body that is not an object, and a batch", () => {
    for (const body of [null, [], "event", 3]) {
      expect(parseZotEvent(body, CE, { "content-type": CE })).toMatchObject({ ok: false, field: "body" });
    }
  });

  it("refuses binary data that is not an object", () => {
    for (const body of ["{broken", "acme/web", 5, true, null, []]) {
      const f = binaryWith("binary-image-deleted-tag", {});
      const result = parseError({ ...f, body });
      expect(result.field).toBe("data");
    }
  });
});
