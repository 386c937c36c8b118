import { CLOUDEVENT_TYPES, type EventType } from "@hookyard/core";
import { fixtureFiles, type Receiver, readFixture, startReceiver, type ZotFixture } from "@hookyard/testkit";
import { type CloudEvent, HTTP } from "cloudevents";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/*
 * Zot's CloudEvents through POST /api/v1/ingest/zot to delivered webhooks. The fixtures are what
 * Zot sends (packages/core/src/sources/__fixtures__/zot/README.md): binary mode from its HTTP sink,
 * structured mode as its NATS sink serializes the event.
 */

const ROUTE = "/api/v1/ingest/zot";
const CE_JSON = "application/cloudevents+json";

type Fixture = ZotFixture;

const NAMES = fixtureFiles("zot").map((file) => file.slice(0, -".json".length));

const fixture = (name: string): Fixture => readFixture("zot", `${name}.json`);

/** Posts the event as Zot (or a bridge) would, with the ingest token in place of the sink's own. */
function send(hookyard: TestHookyard, f: Fixture, rawBody = JSON.stringify(f.body)): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  let contentType = "application/json";
  for (const [name, value] of Object.entries(f.headers)) {
    if (name.toLowerCase() === "content-type") contentType = value;
    else headers[name] = value;
  }
  return hookyard.request("POST", ROUTE, { rawBody, token: INGEST_TOKEN, contentType, headers });
}

/** The same event in structured mode. */
function asStructured(f: Fixture): Fixture {
  const h = Object.fromEntries(Object.entries(f.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    mode: "structured",
    headers: { "Content-Type": CE_JSON },
    body: {
      specversion: h["ce-specversion"],
      id: h["ce-id"],
      source: h["ce-source"],
      type: h["ce-type"],
      datacontenttype: "application/json",
      time: h["ce-time"],
      data: structuredClone(f.body),
    },
  };
}

const WEB_10 = "sha256:844c4485fee12a61908912000db57a34c1ea052d9b0f666b03a9979f5d085fd9";
const WEB_ARM = "sha256:7e032eae0a48e0ff9c3288a8c8a94e83245c99784a336191e46336171964a1b3";
const API_230 = "sha256:0ccf9e273900c05ad16d6953eb8ae7ef3c8d9bbde123e7a4d738d517d98c646a";

/** What each fixture is answered. */
const ANSWERS: Record<string, { accepted: number; duplicates: 0; ignored: number }> = {
  "binary-image-deleted-digest": { accepted: 1, duplicates: 0, ignored: 0 },
  "binary-image-deleted-tag": { accepted: 1, duplicates: 0, ignored: 0 },
  "binary-image-lint-failed": { accepted: 0, duplicates: 0, ignored: 1 },
  "binary-image-scanned": { accepted: 1, duplicates: 0, ignored: 0 },
  "binary-image-updated-digest": { accepted: 1, duplicates: 0, ignored: 0 },
  "binary-image-updated-no-namespace": { accepted: 0, duplicates: 0, ignored: 1 },
  "binary-image-updated-tag": { accepted: 2, duplicates: 0, ignored: 0 },
  "binary-repository-created": { accepted: 1, duplicates: 0, ignored: 0 },
  "structured-image-deleted-digest": { accepted: 1, duplicates: 0, ignored: 0 },
  "structured-image-lint-failed": { accepted: 0, duplicates: 0, ignored: 1 },
  "structured-image-scanned-digest": { accepted: 1, duplicates: 0, ignored: 0 },
  "structured-image-updated-tag": { accepted: 2, duplicates: 0, ignored: 0 },
  "structured-repository-created": { accepted: 1, duplicates: 0, ignored: 0 },
};

interface DtrPayload {
  type: EventType;
  createdAt: string;
  contents: Record<string, unknown>;
  location: string;
}

const image = (over: Record<string, unknown>) => ({ namespace: "acme", os: "", architecture: "", ...over });

/** Every `dtr` body the fixtures make, written out (docs/event-payloads.md, Zot). */
const DELIVERIES: Array<{ repository: string; payload: DtrPayload }> = [
  {
    repository: "acme/web",
    payload: {
      type: "REPO_CREATED",
      createdAt: "2026-11-23T10:00:00.123Z",
      contents: {
        namespace: "acme",
        repository: "web",
        event: "REPO_CREATED",
        author: "alice",
        data: { name: "web", namespace: "acme" },
      },
      location: "/repositories/acme/web",
    },
  },
  {
    repository: "acme/web",
    payload: {
      type: "MANIFEST_PUSH",
      createdAt: "2026-11-23T10:00:01.250Z",
      contents: image({
        repository: "web",
        digest: WEB_10,
        imageName: `acme/web@${WEB_10}`,
        author: "alice",
        pushedAt: "2026-11-23T10:00:01.250Z",
      }),
      location: `/repositories/acme/web/manifests/${WEB_10}`,
    },
  },
  {
    repository: "acme/web",
    payload: {
      type: "TAG_PUSH",
      createdAt: "2026-11-23T10:00:01.250Z",
      contents: image({
        repository: "web",
        tag: "1.0",
        digest: WEB_10,
        imageName: "acme/web:1.0",
        author: "alice",
        pushedAt: "2026-11-23T10:00:01.250Z",
      }),
      location: "/repositories/acme/web/tags/1.0",
    },
  },
  {
    repository: "acme/web",
    payload: {
      type: "MANIFEST_PUSH",
      createdAt: "2026-11-23T10:00:02.004Z",
      contents: image({
        repository: "web",
        digest: WEB_ARM,
        imageName: `acme/web@${WEB_ARM}`,
        author: "ci-bot",
        pushedAt: "2026-11-23T10:00:02.004Z",
      }),
      location: `/repositories/acme/web/manifests/${WEB_ARM}`,
    },
  },
  {
    repository: "acme/web",
    payload: {
      type: "SCAN_COMPLETED",
      createdAt: "2026-11-23T10:00:09.861Z",
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        imageName: "acme/web:1.0",
        scanSummary: {
          namespace: "acme",
          repository: "web",
          tag: "1.0",
          critical: 2,
          major: 2,
          minor: 2,
          last_scan_status: 6,
          check_completed_at: "2026-11-23T10:00:09.861Z",
        },
      },
      location: "/repositories/acme/web/tags/1.0",
    },
  },
  {
    repository: "acme/web",
    payload: {
      type: "TAG_DELETE",
      createdAt: "2026-11-23T10:00:20.700Z",
      contents: image({
        repository: "web",
        tag: "1.0",
        digest: WEB_10,
        imageName: "acme/web:1.0",
        author: "alice",
        deletedAt: "2026-11-23T10:00:20.700Z",
      }),
      location: "/repositories/acme/web/tags/1.0",
    },
  },
  {
    repository: "acme/web",
    payload: {
      type: "MANIFEST_DELETE",
      createdAt: "2026-11-23T10:00:21.518Z",
      contents: image({
        repository: "web",
        digest: WEB_ARM,
        imageName: `acme/web@${WEB_ARM}`,
        author: "alice",
        deletedAt: "2026-11-23T10:00:21.518Z",
      }),
      location: `/repositories/acme/web/manifests/${WEB_ARM}`,
    },
  },
  {
    repository: "acme/api",
    payload: {
      type: "REPO_CREATED",
      createdAt: "2026-11-23T10:01:00.314Z",
      contents: {
        namespace: "acme",
        repository: "api",
        event: "REPO_CREATED",
        author: "bob",
        data: { name: "api", namespace: "acme" },
      },
      location: "/repositories/acme/api",
    },
  },
  {
    repository: "acme/api",
    payload: {
      type: "MANIFEST_PUSH",
      createdAt: "2026-11-23T10:01:01.500Z",
      contents: image({
        repository: "api",
        digest: API_230,
        imageName: `acme/api@${API_230}`,
        author: "bob",
        pushedAt: "2026-11-23T10:01:01.500Z",
      }),
      location: `/repositories/acme/api/manifests/${API_230}`,
    },
  },
  {
    repository: "acme/api",
    payload: {
      type: "TAG_PUSH",
      createdAt: "2026-11-23T10:01:01.500Z",
      contents: image({
        repository: "api",
        tag: "2.3.0",
        digest: API_230,
        imageName: "acme/api:2.3.0",
        author: "bob",
        pushedAt: "2026-11-23T10:01:01.500Z",
      }),
      location: "/repositories/acme/api/tags/2.3.0",
    },
  },
  {
    repository: "acme/web",
    payload: {
      type: "SCAN_COMPLETED",
      createdAt: "2026-11-23T10:01:08.271Z",
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "",
        imageName: `acme/web@${WEB_ARM}`,
        scanSummary: {
          namespace: "acme",
          repository: "web",
          tag: "",
          critical: 0,
          major: 0,
          minor: 0,
          last_scan_status: 6,
          check_completed_at: "2026-11-23T10:01:08.271Z",
        },
      },
      location: `/repositories/acme/web/manifests/${WEB_ARM}`,
    },
  },
  {
    repository: "acme/api",
    payload: {
      type: "MANIFEST_DELETE",
      createdAt: "2026-11-23T10:01:20.999Z",
      contents: image({
        repository: "api",
        digest: API_230,
        imageName: `acme/api@${API_230}`,
        author: "bob",
        deletedAt: "2026-11-23T10:01:20.999Z",
      }),
      location: `/repositories/acme/api/manifests/${API_230}`,
    },
  },
];

const byJson = <T>(items: T[]): T[] => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("Zot's events through /api/v1/ingest/zot", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  it("delivers every fixture, binary and structured, in the dtr and cloudevents formats", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    await hookyard.createWebhook({ name: "dtr", url: `${receiver.url}/dtr`, events: ["*"] });
    await hookyard.createWebhook({ name: "ce", url: `${receiver.url}/ce`, events: ["*"], format: "cloudevents" });

    expect(NAMES).toEqual(Object.keys(ANSWERS).sort());
    for (const name of NAMES) {
      const res = await send(hookyard, fixture(name));
      expect(res.status, `${name}: ${JSON.stringify(res.json)}`).toBe(202);
      expect(res.json, name).toEqual(ANSWERS[name]);
    }

    const count = DELIVERIES.length;
    await receiver.waitForRequests(2 * count);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(2 * count);

    const dtr = receiver.requests.filter((r) => r.path === "/dtr");
    for (const req of dtr) expect(req.headers["x-hookyard-event"]).toBe((req.json as DtrPayload).type);
    expect(byJson(dtr.map((r) => r.json))).toEqual(byJson(DELIVERIES.map((d) => d.payload)));

    const cloudEvents = receiver.requests
      .filter((r) => r.path === "/ce")
      .map((req) => {
        expect(req.headers["content-type"]).toMatch(/^application\/cloudevents\+json/);
        const event = HTTP.toEvent({ headers: req.headers, body: req.body }) as CloudEvent<unknown>;
        expect(event.validate()).toBe(true);
        return { type: event.type, source: event.source, time: event.time, data: event.data };
      });
    const expected = DELIVERIES.map(({ repository, payload }) => ({
      type: CLOUDEVENT_TYPES[payload.type],
      source: `/repositories/${repository}`,
      time: payload.createdAt,
      data: payload.contents,
    }));
    expect(byJson(cloudEvents)).toEqual(byJson(expected));
  });

  it("counts a re-sent event, in either mode, as a duplicate and delivers it once", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const webhook = await hookyard.createWebhook({ name: "dtr", url: receiver.url, events: ["*"] });
    const deleted = fixture("binary-image-deleted-digest");

    expect((await send(hookyard, deleted)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await send(hookyard, deleted)).json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    // CloudEvents identity is source + id, whichever mode carried the event.
    expect((await send(hookyard, asStructured(deleted))).json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    // A new id from the same Zot is another event.
    const again = { ...deleted, headers: { ...deleted.headers, "Ce-Id": "5d6c9a0e-8b8f-4b5e-9c7f-0c1f2e3d4a5b" } };
    expect((await send(hookyard, again)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });

    await hookyard.settledDeliveries(webhook.id, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests.map((r) => r.headers["x-hookyard-event"])).toEqual(["MANIFEST_DELETE", "MANIFEST_DELETE"]);
  });

  it("ignores, and counts, the types it does not map", async () => {
    hookyard = await TestHookyard.start({ worker: false });
    const push = fixture("binary-image-updated-tag");
    for (const type of ["zotregistry.image.pulled", "zotregistry.repository.deleted", "com.example.unrelated"]) {
      const binary = await send(hookyard, { ...push, headers: { ...push.headers, "Ce-Type": type } });
      expect(binary.json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
      const structured = asStructured(push);
      structured.body.type = type;
      expect((await send(hookyard, structured)).json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    }
    expect((await send(hookyard, fixture("binary-image-lint-failed"))).json).toEqual({
      accepted: 0,
      duplicates: 0,
      ignored: 1,
    });
    expect(await hookyard.queuedEventJobs()).toBe(0);
  });

  it("answers 400 naming the field for a broken event, and enqueues nothing", async () => {
    hookyard = await TestHookyard.start({ worker: false });
    const push = fixture("binary-image-updated-tag");
    const without = (header: string) =>
      Object.fromEntries(Object.entries(push.headers).filter(([name]) => name.toLowerCase() !== header));
    const withData = (data: Record<string, unknown>) => ({ ...push, body: { ...push.body, ...data } });
    const structured = (change: (body: any) => void) => {
      const f = asStructured(push);
      change(f.body);
      return f;
    };
    const cases: Array<[Fixture, string]> = [
      [{ ...push, headers: without("ce-id") }, "ce-id"],
      [{ ...push, headers: without("ce-type") }, "ce-type"],
      [{ ...push, headers: without("ce-time") }, "ce-time"],
      [{ ...push, headers: { ...push.headers, "Ce-Time": "9999-12-31T23:59:59-23:59" } }, "ce-time"],
      [{ ...push, headers: { ...push.headers, "Ce-Specversion": "0.3" } }, "ce-specversion"],
      [{ ...push, headers: { ...push.headers, "Ce-Id": "i".repeat(300) } }, "ce-id"],
      [{ ...push, headers: { ...push.headers, "Ce-Source": "zot registry" } }, "ce-source"],
      [withData({ name: "Acme/Web" }), "data.name"],
      [withData({ name: undefined }), "data.name"],
      [withData({ reference: "v1/../x" }), "data.reference"],
      [withData({ digest: "" }), "data.digest"],
      [structured((b) => delete b.id), "id"],
      [structured((b) => (b.time = "2026-02-30T00:00:00Z")), "time"],
      [structured((b) => (b.source = 7)), "source"],
      [structured((b) => (b.data = "acme/web:1.0")), "data"],
      [structured((b) => delete b.data.reference), "data.reference"],
      [structured((b) => (b.data.actor = { name: 5 })), "data.actor.name"],
    ];
    for (const [f, field] of cases) {
      const res = await send(hookyard, f);
      expect(res.status, `${field}: ${JSON.stringify(res.json)}`).toBe(400);
      expect(res.json.error.message).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")}: `));
    }
    // A structured body that is no JSON object, binary data that is none, and a batch (which Zot never sends).
    expect((await send(hookyard, asStructured(push), "[1,2]")).json.error.message).toMatch(/^body: /);
    expect((await send(hookyard, push, '"acme/web"')).json.error.message).toMatch(/^data: /);
    const batch = await send(hookyard, {
      ...asStructured(push),
      headers: { "Content-Type": "application/cloudevents-batch+json" },
    });
    expect(batch.status).toBe(415);
    expect(await hookyard.queuedEventJobs()).toBe(0);
  });
});

describe("Zot events under generated input", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  // Header values fetch can send (a ByteString without control characters).
  const headerText = fc.string({ unit: "grapheme-ascii", maxLength: 40 });
  const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8})?$/);
  const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);
  const tag = fc.stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,20}$/);
  const count = fc.nat({ max: 500 });

  const zotEvent = fc.record({
    id: fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/)),
    source: fc.oneof(
      fc.constant("zotregistry.dev"),
      component.map((c) => `zot-${c}.example.com`),
    ),
    type: fc.constantFrom(
      "zotregistry.image.updated",
      "zotregistry.image.deleted",
      "zotregistry.image.scanned",
      "zotregistry.image.lint_failed",
      "zotregistry.repository.created",
      "zotregistry.image.pulled",
      "constructor",
    ),
    time: fc
      .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true })
      .map((d) => d.toISOString()),
    data: fc.record(
      {
        name: fc.oneof(
          fc.constant("acme/web"),
          fc.array(component, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/")),
        ),
        reference: fc.oneof(tag, digest),
        digest,
        mediaType: fc.constant("application/vnd.oci.image.manifest.v1+json"),
        manifest: fc.constant('{"schemaVersion":2}'),
        actor: fc.record({ name: fc.string({ maxLength: 20 }) }),
        request: fc.record({ addr: fc.constant("10.0.0.1:5000"), method: fc.constant("PUT"), useragent: headerText }),
        summary: fc.record({
          count,
          fixableCount: count,
          unknownCount: count,
          lowCount: count,
          mediumCount: count,
          highCount: count,
          criticalCount: count,
          maxSeverity: fc.constantFrom("NONE", "LOW", "CRITICAL"),
        }),
      },
      { requiredKeys: ["name", "reference", "digest", "summary"] },
    ),
  });

  type ZotEvent = typeof zotEvent extends fc.Arbitrary<infer T> ? T : never;

  /** One change to a valid event: a CloudEvents attribute or a data field replaced, removed or added. */
  const mutation = fc.oneof(
    fc.record({
      kind: fc.constant("attribute" as const),
      name: fc.constantFrom("specversion", "id", "source", "type", "time", "subject", "channel", "zot_region"),
      value: fc.option(headerText, { nil: undefined }),
    }),
    fc.record({
      kind: fc.constant("data" as const),
      name: fc.constantFrom("name", "reference", "digest", "actor", "summary", "mediaType"),
      value: fc.option(fc.jsonValue(), { nil: undefined }),
    }),
    fc.record({ kind: fc.constant("whole data" as const), value: fc.jsonValue() }),
  );

  type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

  function encode(event: ZotEvent, mode: "binary" | "structured"): { headers: Record<string, string>; body: unknown } {
    const { data, ...attributes } = event;
    if (mode === "structured") {
      return {
        headers: { "content-type": CE_JSON },
        body: { specversion: "1.0", ...attributes, datacontenttype: "application/json", data },
      };
    }
    const headers: Record<string, string> = { "content-type": "application/json", "ce-specversion": "1.0" };
    for (const [name, value] of Object.entries(attributes)) headers[`ce-${name}`] = value;
    return { headers, body: data };
  }

  function mutate(
    encoded: { headers: Record<string, string>; body: any },
    mode: "binary" | "structured",
    change: Mutation,
  ) {
    const headers = { ...encoded.headers };
    const body = structuredClone(encoded.body);
    if (change.kind === "attribute") {
      if (mode === "binary") {
        if (change.value === undefined) delete headers[`ce-${change.name}`];
        else headers[`ce-${change.name}`] = change.value;
      } else if (change.value === undefined) delete body[change.name];
      else body[change.name] = change.value;
    } else {
      const data = mode === "binary" ? body : body.data;
      if (change.kind === "whole data") {
        if (mode === "binary") return { headers, body: change.value };
        body.data = change.value;
      } else if (change.value === undefined) delete data[change.name];
      else data[change.name] = change.value;
    }
    return { headers, body };
  }

  const post = (headers: Record<string, string>, body: unknown) => {
    const { "content-type": contentType, ...rest } = headers;
    return hookyard.request("POST", ROUTE, {
      rawBody: JSON.stringify(body),
      token: INGEST_TOKEN,
      contentType: contentType ?? "application/json",
      headers: rest,
    });
  };

  it.each(["binary", "structured"] as const)(
    "%s mode: a valid event is 202, a mutated one 202 or 400",
    async (mode) => {
      await fc.assert(
        fc.asyncProperty(zotEvent, fc.option(mutation, { nil: null }), async (event, change) => {
          const encoded = encode(event, mode);
          const sent = change ? mutate(encoded, mode, change) : encoded;
          const res = await post(sent.headers, sent.body);
          if (!change) {
            expect(res.status, JSON.stringify(res.json)).toBe(202);
            // A mapped type on a name with a namespace is queued; anything else is ignored.
            const type = event.type.startsWith("zotregistry.") && !/lint_failed|pulled/.test(event.type);
            const queued = type && event.data.name.includes("/");
            const { accepted, duplicates, ignored } = res.json;
            expect(queued ? accepted + duplicates > 0 && ignored === 0 : ignored === 1).toBe(true);
          } else expect([202, 400], JSON.stringify(res.json)).toContain(res.status);
          if (res.status === 400) expect(res.json.error.message).toEqual(expect.any(String));
        }),
        { numRuns: 300 },
      );
      expect((await hookyard.request("GET", "/healthz", { token: null })).status).toBe(200);
    },
  );
});
