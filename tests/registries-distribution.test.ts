import { readFileSync } from "node:fs";
import { CLOUDEVENT_TYPES, type EventType } from "@hookyard/core";
import { type ReceivedRequest, type Receiver, startReceiver } from "@hookyard/testkit";
import { type CloudEvent, HTTP } from "cloudevents";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/*
 * Distribution v3 and GitLab's registry, end to end: every golden fixture (packages/core/src/sources/
 * __fixtures__/{distribution-v3,gitlab}, each built from the registry's own source) posted as the
 * registry posts it, to delivered webhooks in both the dtr and the cloudevents format.
 */

const FIXTURES = new URL("../packages/core/src/sources/__fixtures__/", import.meta.url);
const ROUTE = "/api/v1/ingest/distribution";
/** What each registry sends as Content-Type (notifications/event.go EventsMediaType). */
const MEDIA_TYPE: Record<string, string> = {
  "distribution-v3": "application/vnd.docker.distribution.events.v2+json",
  gitlab: "application/vnd.docker.distribution.events.v1+json",
};

interface FixtureCase {
  dir: string;
  file: string;
  types: EventType[];
  ignored: number;
  repository?: string;
  tag?: string | null;
  digest?: string | null;
  author?: string | null;
  occurredAt?: string;
  rename?: { type: string; from: string; to: string };
}

const read = (path: string): any => JSON.parse(readFileSync(new URL(path, FIXTURES), "utf8"));
const CASES: FixtureCase[] = Object.keys(MEDIA_TYPE).flatMap((dir) =>
  (read(`${dir}/expected.json`) as Omit<FixtureCase, "dir">[]).map((c) => ({ ...c, dir })),
);
const body = (c: { dir: string; file: string }) => read(`${c.dir}/${c.file}`);
const mapped = CASES.filter((c) => c.types.length > 0);
const ignoredOnly = CASES.filter((c) => c.types.length === 0);

/** "acme/team/web" as DTR splits it. */
function split(name: string): { namespace: string; repository: string } {
  const slash = name.indexOf("/");
  return { namespace: name.slice(0, slash), repository: name.slice(slash + 1) };
}

/** The DTR contents a fixture's event of `type` must be delivered with (docs/event-payloads.md). */
function expectedContents(c: FixtureCase, type: EventType): Record<string, unknown> {
  const { namespace, repository } = split(c.repository ?? "");
  if (type.startsWith("REPO_")) {
    return {
      namespace,
      repository,
      event: type,
      author: c.author ?? "",
      ...(c.rename
        ? {
            data: { name: c.rename.to.slice(c.rename.to.lastIndexOf("/") + 1), path: c.rename.to },
            rename: { type: c.rename.type, from: split(c.rename.from), to: split(c.rename.to) },
          }
        : {}),
    };
  }
  const isTag = type.startsWith("TAG_");
  return {
    namespace,
    repository,
    ...(isTag ? { tag: c.tag } : {}),
    digest: c.digest ?? "",
    imageName: isTag ? `${c.repository}:${c.tag}` : `${c.repository}@${c.digest}`,
    author: c.author ?? "",
  };
}

function location(c: FixtureCase, type: EventType): string {
  const base = `/repositories/${c.repository}`;
  if (type.startsWith("REPO_")) return base;
  return type.startsWith("TAG_") ? `${base}/tags/${c.tag}` : `${base}/manifests/${c.digest}`;
}

function cloudEvent(req: ReceivedRequest): CloudEvent<any> {
  expect(req.headers["content-type"]).toMatch(/^application\/cloudevents\+json/);
  const parsed = HTTP.toEvent({ headers: req.headers, body: req.body });
  const event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<any>;
  expect(event.validate()).toBe(true);
  return event;
}

describe("Distribution v3 and GitLab registry envelopes", () => {
  const open: Array<Receiver | TestHookyard> = [];
  afterEach(async () => {
    for (const thing of open.splice(0)) await thing.close();
  });
  const start = async (options: { worker?: boolean } = {}) => {
    const receiver = await startReceiver();
    open.push(receiver);
    const hookyard = await TestHookyard.start(options);
    open.push(hookyard);
    const post = (c: { dir: string }, envelope: unknown) =>
      hookyard.request("POST", ROUTE, { body: envelope, token: INGEST_TOKEN, contentType: MEDIA_TYPE[c.dir] });
    return { receiver, hookyard, post };
  };

  it("delivers every fixture's events in the dtr and the cloudevents format", async () => {
    const { receiver, hookyard, post } = await start();
    await hookyard.createWebhook({ name: "dtr", url: `${receiver.url}/dtr`, events: ["*"] });
    await hookyard.createWebhook({ name: "ce", url: `${receiver.url}/ce`, events: ["*"], format: "cloudevents" });

    // One fixture at a time, so that each delivery is known to come from it.
    for (const c of mapped) {
      const what = `${c.dir}/${c.file}`;
      const seen = receiver.requests.length;
      const res = await post(c, body(c));
      expect(res.status, what).toBe(202);
      expect(res.json, what).toEqual({ accepted: c.types.length, duplicates: 0, ignored: 0 });
      const received = (await receiver.waitForRequests(seen + 2 * c.types.length)).slice(seen);

      const dtr = received.filter((r) => r.path === "/dtr");
      expect(dtr.map((r) => r.headers["x-hookyard-event"]).sort(), what).toEqual([...c.types].sort());
      for (const req of dtr) {
        const type = req.headers["x-hookyard-event"] as EventType;
        expect(req.json, `${what} ${type}`).toMatchObject({
          type,
          createdAt: c.occurredAt,
          contents: expectedContents(c, type),
          location: location(c, type),
        });
        // GitLab's actor.user (a JWT from GitLab Rails) is never passed on.
        expect(req.body).not.toContain("eyJ");
      }

      const ce = received.filter((r) => r.path === "/ce").map(cloudEvent);
      expect(ce.map((e) => e.type).sort(), what).toEqual(c.types.map((t) => CLOUDEVENT_TYPES[t]).sort());
      for (const event of ce) {
        const type = c.types.find((t) => CLOUDEVENT_TYPES[t] === event.type) as EventType;
        const twin = dtr.find((r) => r.headers["x-hookyard-event"] === type)?.json as { contents: unknown };
        expect(event, `${what} ${type}`).toMatchObject({ source: `/repositories/${c.repository}`, time: c.occurredAt });
        expect(event.data).toStrictEqual(twin.contents);
        expect(JSON.stringify(event)).not.toContain("eyJ");
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    const total = mapped.reduce((sum, c) => sum + c.types.length, 0);
    expect(receiver.requests).toHaveLength(2 * total);
  });

  it("counts an envelope re-sent by the registry as duplicates and delivers it once", async () => {
    const { receiver, hookyard, post } = await start();
    const webhook = await hookyard.createWebhook({ name: "all", url: receiver.url, events: ["*"] });
    const resent = [
      mapped.find((c) => c.dir === "distribution-v3" && c.types.includes("TAG_PUSH")),
      mapped.find((c) => c.dir === "gitlab" && c.types.includes("REPO_UPDATED")),
    ] as FixtureCase[];
    let expected = 0;
    for (const c of resent) {
      const first = await post(c, body(c));
      expect(first.json).toEqual({ accepted: c.types.length, duplicates: 0, ignored: 0 });
      // The registry re-sends the same bytes when it missed the answer.
      const again = await post(c, body(c));
      expect(again.json).toEqual({ accepted: 0, duplicates: c.types.length, ignored: 0 });
      expected += c.types.length;
    }
    await hookyard.settledDeliveries(webhook.id, expected);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(expected);
  });

  it("answers 202 and counts as ignored what fits no type, queueing nothing for it", async () => {
    const { hookyard, post } = await start({ worker: false });
    for (const c of ignoredOnly) {
      const res = await post(c, body(c));
      expect(res.status, c.file).toBe(202);
      expect(res.json, c.file).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    }
    expect(await hookyard.queuedEventJobs()).toBe(0);

    // An envelope of both (2.8 batches events; a proxy may too) is taken apart event by event.
    const events = [...ignoredOnly, ...mapped.slice(0, 2)].flatMap((c) => body(c).events);
    const res = await post({ dir: "distribution-v3" }, { events });
    const accepted = mapped.slice(0, 2).reduce((sum, c) => sum + c.types.length, 0);
    expect(res.json).toEqual({ accepted, duplicates: 0, ignored: ignoredOnly.length });
    expect(await hookyard.queuedEventJobs()).toBe(accepted);
  });
});

/* Generated v3 and GitLab envelopes, valid and mutated: only ever 202, or 400 naming a field. */
describe("Distribution v3 and GitLab envelopes under generated input", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const part = fc.stringMatching(/^[a-z0-9]{1,10}(?:[._-][a-z0-9]{1,6})?$/);
  // One component ("alpine") is valid to the registry and ignored by Hookyard: generated too.
  const name = fc.array(part, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
  const digest = fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `sha256:${hex}`);
  const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
  // Go writes the registry's local time with its offset, nanoseconds trimmed of zeros.
  const timestamp = fc
    .record({
      at: fc.date({
        min: new Date("1971-01-01T00:00:00Z"),
        max: new Date("9998-12-31T00:00:00Z"),
        noInvalidDate: true,
      }),
      offsetMinutes: fc.constantFrom(0, 60, -300, 330),
      nanos: fc.stringMatching(/^\d{0,6}$/),
    })
    .map(({ at, offsetMinutes, nanos }) => {
      const local = new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
      const sign = offsetMinutes < 0 ? "-" : "+";
      const abs = Math.abs(offsetMinutes);
      const hours = String(Math.trunc(abs / 60)).padStart(2, "0");
      const zone = offsetMinutes === 0 ? "Z" : `${sign}${hours}:${String(abs % 60).padStart(2, "0")}`;
      return `${local}${nanos}${zone}`;
    });
  const mediaType = fc.constantFrom(
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/octet-stream",
  );
  const reference = fc.record(
    {
      mediaType,
      digest,
      size: fc.nat(),
      annotations: fc.dictionary(fc.constantFrom("org.opencontainers.image.title", "a.b"), fc.string()),
      artifactType: fc.constantFrom("application/spdx+json", "application/vnd.dev.cosign.artifact.sig.v1+json"),
      platform: fc.record({ architecture: fc.constantFrom("amd64", "arm64"), os: fc.constant("linux") }),
    },
    { requiredKeys: ["mediaType", "digest", "size"] },
  );

  const v3Event = fc
    .record({
      id: fc.uuid({ version: 7 }),
      timestamp,
      action: fc.constantFrom("push", "pull", "delete", "mount"),
      repository: name,
      tag: fc.option(tag, { nil: undefined }),
      digest,
      mediaType,
      method: fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "POST"),
      actor: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
      references: fc.option(fc.array(reference, { maxLength: 3 }), { nil: undefined }),
    })
    .map((e) => ({
      id: e.id,
      timestamp: e.timestamp,
      action: e.action,
      target: {
        // A v3 delete writes the descriptor's fields empty rather than leaving them out.
        mediaType: e.action === "delete" ? "" : e.mediaType,
        digest: e.action === "delete" && e.tag ? "" : e.digest,
        size: e.action === "delete" ? 0 : 1025,
        ...(e.action === "delete" ? {} : { length: 1025 }),
        repository: e.repository,
        ...(e.action === "delete"
          ? {}
          : { url: `https://registry.example.com/v2/${e.repository}/manifests/${e.digest}` }),
        ...(e.tag ? { tag: e.tag } : {}),
        ...(e.references ? { references: e.references } : {}),
      },
      request: { id: e.id, addr: "10.0.0.1:4000", host: "registry.example.com", method: e.method, useragent: "x" },
      actor: e.actor === undefined ? {} : { name: e.actor },
      source: { addr: "registry:5000", instanceID: e.id },
    }));

  const gitlabEvent = fc
    .record({
      id: fc.uuid({ version: 4 }),
      timestamp,
      action: fc.constantFrom("push", "pull", "delete", "rename"),
      repository: name,
      to: name,
      renameType: fc.constantFrom("name", "namespace"),
      tag: fc.option(tag, { nil: undefined }),
      digest,
      userType: fc.option(fc.constantFrom("personal_access_token", "build", "deploy_token", "gitlab_or_ldap"), {
        nil: undefined,
      }),
      meta: fc.option(fc.record({ blob: fc.record({ storageBackend: fc.string(), redirected: fc.boolean() }) }), {
        nil: undefined,
      }),
    })
    .map((e) => ({
      id: e.id,
      timestamp: e.timestamp,
      action: e.action,
      target:
        e.action === "rename"
          ? { rename: { type: e.renameType, from: e.repository, to: e.to }, repository: e.repository }
          : { digest: e.digest, repository: e.repository, ...(e.tag ? { tag: e.tag } : {}) },
      request: { id: e.id, method: "PUT", useragent: "GitLab/18.6.0" },
      actor: e.userType ? { name: "alice", user_type: e.userType, user: "not.a.jwt" } : {},
      source: { addr: "registry:5000" },
      ...(e.meta ? { meta: e.meta } : {}),
    }));

  const fixtureEvent = fc.constantFrom(...CASES.flatMap((c) => body(c).events as object[]));

  // A mutation: one place in the envelope set to something else, or removed.
  const BAD = fc.constantFrom(
    "a\u0000b",
    "\ud800",
    "2026-02-30T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "i".repeat(300),
  );
  const mutation = fc.record({
    at: fc.nat(),
    remove: fc.boolean(),
    value: fc.oneof(
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
      fc.dictionary(fc.constantFrom("name", "from", "to", "a"), fc.oneof(fc.string(), fc.integer()), { maxKeys: 2 }),
      BAD,
      name,
      fc.constantFrom("rename", "delete", "push"),
    ),
  });

  function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (value === null || typeof value !== "object") return [prefix];
    const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    return [prefix, ...keys.flatMap((key) => paths((value as any)[key], [...prefix, key]))];
  }

  function mutate(envelope: { events: unknown[] }, changes: Array<{ at: number; remove: boolean; value: unknown }>) {
    let out: any = structuredClone(envelope);
    for (const change of changes) {
      const all = paths(out);
      const path = all[change.at % all.length] as (string | number)[];
      if (path.length === 0) {
        out = change.value;
        continue;
      }
      const parent = path.slice(0, -1).reduce((node, key) => node?.[key], out);
      if (parent === null || typeof parent !== "object") continue;
      const key = path[path.length - 1] as string | number;
      if (change.remove && !Array.isArray(parent)) delete parent[key];
      else parent[key] = change.value;
    }
    return out;
  }

  const envelope = fc.record({
    events: fc.array(fc.oneof(v3Event, gitlabEvent, fixtureEvent), { minLength: 1, maxLength: 3 }),
    changes: fc.array(mutation, { maxLength: 3 }),
    flavour: fc.constantFrom(...Object.values(MEDIA_TYPE)),
  });

  it("answers 202 for every valid envelope, 400 naming a field otherwise, never 5xx; a 400 queues nothing", async () => {
    let queued = await hookyard.queuedEventJobs();
    await fc.assert(
      fc.asyncProperty(envelope, async ({ events, changes, flavour }) => {
        const sent = mutate({ events }, changes);
        const res = await hookyard.request("POST", ROUTE, { body: sent, token: INGEST_TOKEN, contentType: flavour });
        if (changes.length === 0) expect(res.status, JSON.stringify(res.json)).toBe(202);
        expect([202, 400]).toContain(res.status);
        if (res.status === 202) {
          queued += res.json.accepted;
          return;
        }
        // "events[1].target.rename.to: ...", "events[0].actor.name: ...", "body: ..."
        expect(res.json.error.message).toMatch(/^[\w.[\]-]+: ./);
        expect(await hookyard.queuedEventJobs()).toBe(queued);
      }),
      { numRuns: 300 },
    );
    expect(await hookyard.queuedEventJobs()).toBe(queued);
    expect((await hookyard.request("GET", "/healthz", { token: null })).status).toBe(200);
  });
});
