import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderDtr } from "../payloads/dtr.js";
import type { RegistryEvent } from "../registry-event.js";
import { parseDistributionEnvelope } from "./distribution.js";

/*
 * Envelopes shaped as CNCF Distribution 2.8 sends them (notifications/event.go, bridge.go): Go
 * marshals the target/request/actor/source structs even when empty, drops empty strings and zero
 * numbers (omitempty), and writes timestamps as RFC 3339 with nanoseconds.
 */

const REGISTRY = "registry.example.com:5000";
const MANIFEST_DIGEST = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
const LAYER_DIGEST = "sha256:4f4fb700ef54461cfa02571ae0db9a0dc1e0cdb5577484a6d75e68dc38e8acc1";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const TIMESTAMP = "2026-11-23T10:00:00.123456789Z";
/** The same instant at millisecond precision. */
const TIMESTAMP_MS = Date.UTC(2026, 10, 23, 10, 0, 0, 123);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

let sequence = 0;
/** Distinct UUIDs, fixed so a failure is reproducible. */
function uuid(): string {
  sequence += 1;
  return `6c1c2b4e-1f0a-4d3b-9a8e-${sequence.toString(16).padStart(12, "0")}`;
}

interface EventOptions {
  action: "push" | "pull" | "mount" | "delete";
  method: string;
  target: Record<string, unknown>;
  actor?: string;
  id?: string;
  timestamp?: string;
}

function registryEvent(options: EventOptions) {
  return {
    id: options.id ?? uuid(),
    timestamp: options.timestamp ?? TIMESTAMP,
    action: options.action,
    target: options.target,
    request: {
      id: uuid(),
      addr: "10.1.2.3:40312",
      host: REGISTRY,
      method: options.method,
      useragent: "containers/5.24.1 (github.com/containers/image)",
    },
    actor: options.actor ? { name: options.actor } : {},
    source: { addr: "registry-7d9f8c:5000", instanceID: "a3c1d6f2-5b8e-4e9a-8f0c-2d7e6b1a9c44" },
  };
}

function manifestTarget(repository: string, tag?: string, digest = MANIFEST_DIGEST) {
  return {
    mediaType: OCI_MANIFEST,
    size: 428,
    digest,
    length: 428,
    repository,
    url: `https://${REGISTRY}/v2/${repository}/manifests/${digest}`,
    ...(tag ? { tag } : {}),
  };
}

function blobTarget(repository: string, extra: Record<string, unknown> = {}) {
  return {
    mediaType: "application/octet-stream",
    size: 2_811_478,
    digest: LAYER_DIGEST,
    length: 2_811_478,
    repository,
    url: `https://${REGISTRY}/v2/${repository}/blobs/${LAYER_DIGEST}`,
    ...extra,
  };
}

const manifestPush = (repository: string, tag?: string, actor?: string) =>
  registryEvent({
    action: "push",
    method: "PUT",
    target: manifestTarget(repository, tag),
    ...(actor ? { actor } : {}),
  });
const manifestPull = (repository: string, method: "GET" | "HEAD", tag?: string) =>
  registryEvent({ action: "pull", method, target: manifestTarget(repository, tag), actor: "ci-bot" });
const blobPush = (repository: string) =>
  registryEvent({ action: "push", method: "PUT", target: blobTarget(repository) });
const blobPull = (repository: string) =>
  registryEvent({ action: "pull", method: "GET", target: blobTarget(repository) });
const blobMount = (repository: string, fromRepository: string) =>
  registryEvent({ action: "mount", method: "POST", target: blobTarget(repository, { fromRepository }) });
const manifestDelete = (repository: string) =>
  registryEvent({
    action: "delete",
    method: "DELETE",
    target: { digest: MANIFEST_DIGEST, repository },
    actor: "alice",
  });
const tagDelete = (repository: string, tag: string) =>
  registryEvent({ action: "delete", method: "DELETE", target: { repository, tag }, actor: "alice" });

function parseOk(body: unknown): { events: RegistryEvent[]; ignored: number } {
  const result = parseDistributionEnvelope(body);
  if (!result.ok) throw new Error(`expected the envelope to parse, got: ${result.message}`);
  return result;
}

function parseError(body: unknown): { field: string; message: string } {
  const result = parseDistributionEnvelope(body);
  if (result.ok) throw new Error(`expected the envelope to be rejected, got ${result.events.length} events`);
  return result;
}

function only(events: RegistryEvent[], type: string): RegistryEvent {
  const matching = events.filter((e) => e.type === type);
  expect(matching, `exactly one ${type}`).toHaveLength(1);
  return matching[0] as RegistryEvent;
}

const types = (events: RegistryEvent[]) => events.map((e) => e.type).sort();

describe("parseDistributionEnvelope: pushes", () => {
  it("turns a manifest pushed by tag into MANIFEST_PUSH and TAG_PUSH", () => {
    const { events, ignored } = parseOk({ events: [manifestPush("acme/web", "1.0", "alice")] });

    expect(types(events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
    expect(ignored).toBe(0);
    const tagPush = only(events, "TAG_PUSH");
    expect(tagPush).toMatchObject({
      source: "distribution",
      namespace: "acme",
      repository: "acme/web",
      tag: "1.0",
      digest: MANIFEST_DIGEST,
      actor: "alice",
    });
    expect(only(events, "MANIFEST_PUSH")).toMatchObject({
      source: "distribution",
      namespace: "acme",
      repository: "acme/web",
      digest: MANIFEST_DIGEST,
      actor: "alice",
    });
  });

  it("gives the two events of one tagged push distinct dedup keys", () => {
    const { events } = parseOk({ events: [manifestPush("acme/web", "1.0")] });
    const keys = events.map((e) => e.dedupKey);
    expect(keys.every((k) => typeof k === "string" && k.length > 0)).toBe(true);
    expect(new Set(keys).size).toBe(2);
  });

  it("gives a re-sent envelope the same dedup keys, and another event different ones", () => {
    // The registry retries the same block after a failure: the keys must match so it is not delivered twice.
    const envelope = { events: [manifestPush("acme/web", "1.0")] };
    const first = parseOk(envelope)
      .events.map((e) => e.dedupKey)
      .sort();
    const again = parseOk(structuredClone(envelope))
      .events.map((e) => e.dedupKey)
      .sort();
    expect(again).toEqual(first);

    const other = parseOk({ events: [manifestPush("acme/web", "1.0")] }).events.map((e) => e.dedupKey);
    for (const key of other) expect(first).not.toContain(key);
  });

  it("turns an untagged manifest push into MANIFEST_PUSH only", () => {
    const { events, ignored } = parseOk({ events: [manifestPush("acme/web")] });
    expect(types(events)).toEqual(["MANIFEST_PUSH"]);
    expect(ignored).toBe(0);
    expect(only(events, "MANIFEST_PUSH")).toMatchObject({ repository: "acme/web", tag: null, digest: MANIFEST_DIGEST });
  });

  it("records an anonymous push ({} actor) with no actor", () => {
    const { events } = parseOk({ events: [manifestPush("acme/web", "1.0")] });
    for (const event of events) expect(event.actor).toBeNull();
  });

  it("keeps the event's instant as an RFC 3339 occurredAt", () => {
    const { events } = parseOk({ events: [manifestPush("acme/web", "1.0")] });
    for (const event of events) {
      expect(event.occurredAt).toMatch(RFC3339);
      expect(Date.parse(event.occurredAt)).toBe(TIMESTAMP_MS);
    }
  });

  it("reads a timestamp written with a zone offset as the same instant", () => {
    const event = { ...manifestPush("acme/web"), timestamp: "2026-11-23T11:00:00.123456789+01:00" };
    const [parsed] = parseOk({ events: [event] }).events;
    expect(parsed?.occurredAt).toMatch(RFC3339);
    expect(Date.parse(parsed?.occurredAt ?? "")).toBe(TIMESTAMP_MS);
  });

  it("takes the first path component of a nested repository as the namespace", () => {
    const { events } = parseOk({ events: [manifestPush("acme/team/web", "2.1")] });
    expect(only(events, "TAG_PUSH")).toMatchObject({ namespace: "acme", repository: "acme/team/web", tag: "2.1" });
  });

  it("treats an image index (multi-arch) push as a manifest push", () => {
    const target = { ...manifestTarget("acme/web", "latest"), mediaType: "application/vnd.oci.image.index.v1+json" };
    const { events } = parseOk({ events: [registryEvent({ action: "push", method: "PUT", target })] });
    expect(types(events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
  });

  it("counts a blob push as ignored", () => {
    const { events, ignored } = parseOk({ events: [blobPush("acme/web")] });
    expect(events).toEqual([]);
    expect(ignored).toBe(1);
  });

  it("counts a cross-repository blob mount as ignored", () => {
    const { events, ignored } = parseOk({ events: [blobMount("acme/web", "acme/base")] });
    expect(events).toEqual([]);
    expect(ignored).toBe(1);
  });

  it("tolerates fields newer registries add", () => {
    const event = manifestPush("acme/web", "1.0");
    const target = {
      ...event.target,
      references: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", size: 1, digest: LAYER_DIGEST }],
      annotations: { a: "b" },
    };
    const { events } = parseOk({ events: [{ ...event, target, extra: true }] });
    expect(types(events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
  });
});

describe("parseDistributionEnvelope: pulls", () => {
  it("turns a GET of a manifest by tag into MANIFEST_PULL and TAG_PULL", () => {
    const { events, ignored } = parseOk({ events: [manifestPull("acme/web", "GET", "1.0")] });
    expect(types(events)).toEqual(["MANIFEST_PULL", "TAG_PULL"]);
    expect(ignored).toBe(0);
    expect(only(events, "TAG_PULL")).toMatchObject({
      namespace: "acme",
      repository: "acme/web",
      tag: "1.0",
      digest: MANIFEST_DIGEST,
      actor: "ci-bot",
    });
  });

  it("turns a GET of a manifest by digest into MANIFEST_PULL only", () => {
    const { events } = parseOk({ events: [manifestPull("acme/web", "GET")] });
    expect(types(events)).toEqual(["MANIFEST_PULL"]);
  });

  it("counts a HEAD of a manifest as ignored, not as a pull", () => {
    const { events, ignored } = parseOk({ events: [manifestPull("acme/web", "HEAD", "1.0")] });
    expect(events).toEqual([]);
    expect(ignored).toBe(1);
  });

  it("counts a blob pull as ignored", () => {
    const { events, ignored } = parseOk({ events: [blobPull("acme/web")] });
    expect(events).toEqual([]);
    expect(ignored).toBe(1);
  });
});

describe("parseDistributionEnvelope: deletes", () => {
  it("turns a delete with a digest into MANIFEST_DELETE", () => {
    const { events, ignored } = parseOk({ events: [manifestDelete("acme/web")] });
    expect(types(events)).toEqual(["MANIFEST_DELETE"]);
    expect(ignored).toBe(0);
    expect(only(events, "MANIFEST_DELETE")).toMatchObject({
      namespace: "acme",
      repository: "acme/web",
      digest: MANIFEST_DIGEST,
      actor: "alice",
    });
  });

  it("turns a delete with only a tag into TAG_DELETE", () => {
    const { events } = parseOk({ events: [tagDelete("acme/web", "1.0")] });
    expect(types(events)).toEqual(["TAG_DELETE"]);
    expect(only(events, "TAG_DELETE")).toMatchObject({
      namespace: "acme",
      repository: "acme/web",
      tag: "1.0",
      digest: null,
    });
  });

  it("reads a manifest delete followed by its tag deletes in one envelope", () => {
    const { events, ignored } = parseOk({
      events: [manifestDelete("acme/web"), tagDelete("acme/web", "1.0"), tagDelete("acme/web", "latest")],
    });
    expect(types(events)).toEqual(["MANIFEST_DELETE", "TAG_DELETE", "TAG_DELETE"]);
    expect(
      events
        .filter((e) => e.type === "TAG_DELETE")
        .map((e) => e.tag)
        .sort(),
    ).toEqual(["1.0", "latest"]);
    expect(ignored).toBe(0);
    expect(new Set(events.map((e) => e.dedupKey)).size).toBe(3);
  });
});

describe("parseDistributionEnvelope: several events", () => {
  it("maps the events of a whole push (two blobs, then the tagged manifest) in one envelope", () => {
    const { events, ignored } = parseOk({
      events: [blobPush("acme/web"), blobPush("acme/web"), manifestPush("acme/web", "1.0", "alice")],
    });
    expect(types(events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
    expect(ignored).toBe(2);
  });

  it("keeps events of different repositories apart", () => {
    const { events } = parseOk({ events: [manifestPush("acme/web", "1.0"), manifestPush("other/api")] });
    expect(
      events
        .filter((e) => e.repository === "acme/web")
        .map((e) => e.type)
        .sort(),
    ).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
    expect(events.filter((e) => e.repository === "other/api").map((e) => e.type)).toEqual(["MANIFEST_PUSH"]);
    expect(only(events, "TAG_PUSH").namespace).toBe("acme");
  });

  it("accepts an empty envelope", () => {
    expect(parseDistributionEnvelope({ events: [] })).toStrictEqual({ ok: true, events: [], ignored: 0 });
  });
});

describe("parseDistributionEnvelope: invalid bodies", () => {
  it.each([
    ["a string", "not json"],
    ["null", null],
    ["an array", [manifestPush("acme/web")]],
    ["a number", 42],
  ])("rejects %s", (_label, body) => {
    const error = parseError(body);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it("rejects an object without events, naming the field", () => {
    const error = parseError({ event: [manifestPush("acme/web")] });
    expect(error.field).toBe("events");
    expect(error.message).toContain("events");
  });

  it("rejects events that is not an array, naming the field", () => {
    const error = parseError({ events: manifestPush("acme/web") });
    expect(error.field).toBe("events");
    expect(error.message).toContain("events");
  });

  it("rejects an event without target.repository, naming the field", () => {
    const event = manifestPush("acme/web", "1.0");
    const { repository: _omitted, ...target } = event.target;
    const error = parseError({ events: [{ ...event, target }] });
    expect(error.field).toBe("events[0].target.repository");
    expect(error.message).toContain("events[0].target.repository");
  });

  it.each(["yesterday", "2026-11-23", "2026-11-23 10:00:00", "2026-13-01T10:00:00Z", "1764151200"])(
    "rejects the timestamp %j, naming the field",
    (timestamp) => {
      const error = parseError({ events: [{ ...manifestPush("acme/web"), timestamp }] });
      expect(error.field).toBe("events[0].timestamp");
      expect(error.message).toContain("events[0].timestamp");
    },
  );

  it("ignores a valid name with no namespace rather than stall the registry", () => {
    const result = parseDistributionEnvelope({
      events: [manifestPush("alpine", "3.20"), manifestPush("acme/web", "1.0")],
    });
    expect(result).toMatchObject({ ok: true, ignored: 1 });
    expect(result.ok && result.events.map((e) => e.repository)).toEqual(["acme/web", "acme/web"]);
  });

  it.each(["Acme/Web", "acme//web", "acme/web:1.0", ""])(
    "rejects the repository name %j, naming the field",
    (repository) => {
      const error = parseError({ events: [manifestPush(repository, "1.0")] });
      expect(error.field).toBe("events[0].target.repository");
      expect(error.message).toContain("events[0].target.repository");
    },
  );

  it("names the index of the event that is wrong", () => {
    const error = parseError({ events: [manifestPush("acme/web"), manifestPush("Acme/Web")] });
    expect(error.field).toBe("events[1].target.repository");
    expect(error.message).toContain("events[1]");
  });

  it("rejects an event without an id", () => {
    const { id: _omitted, ...event } = manifestPush("acme/web");
    const error = parseError({ events: [event] });
    expect(error.field).toBe("events[0].id");
  });
});

/*
 * Distribution v3 and GitLab's registry: the golden fixtures in __fixtures__/ (their READMEs name
 * the source file and version each one follows), and what those registries add to 2.8's envelope.
 */

interface FixtureCase {
  file: string;
  types: string[];
  ignored: number;
  repository?: string;
  tag?: string | null;
  digest?: string | null;
  author?: string | null;
  actorType?: string;
  occurredAt?: string;
  rename?: { type: string; from: string; to: string };
}

const FIXTURES = new URL("./__fixtures__/", import.meta.url);
const fixture = (dir: string, file: string): unknown =>
  JSON.parse(readFileSync(new URL(`${dir}/${file}`, FIXTURES), "utf8"));
const fixtureCases = (dir: string): FixtureCase[] =>
  JSON.parse(readFileSync(new URL(`${dir}/expected.json`, FIXTURES), "utf8"));

describe.each(["distribution-v3", "gitlab"])("parseDistributionEnvelope: %s fixtures", (dir) => {
  const cases = fixtureCases(dir);

  it.each(cases.map((c) => [c.file, c] as const))("reads %s", (file, expected) => {
    const body = fixture(dir, file);
    const { events, ignored } = parseOk(body);
    expect(types(events)).toEqual([...expected.types].sort());
    expect(ignored).toBe(expected.ignored);
    for (const event of events) {
      expect(event).toMatchObject({
        source: "distribution",
        repository: expected.repository,
        namespace: expected.repository?.split("/")[0],
        digest: event.type.startsWith("REPO_") ? null : expected.digest,
        tag: event.type.startsWith("TAG_") ? expected.tag : null,
        actor: expected.author,
        occurredAt: expected.occurredAt,
      });
      expect(event.data.actorType).toBe(expected.actorType);
      // GitLab's actor.user is a JWT from GitLab Rails: it is never kept.
      expect(JSON.stringify(event)).not.toContain("eyJ");
    }
    // The registry re-sends the same body after a failure: the same keys, so it is a duplicate.
    expect(parseOk(structuredClone(body)).events.map((e) => e.dedupKey)).toEqual(events.map((e) => e.dedupKey));
  });

  it("covers every fixture file", () => {
    const files = readdirSync(new URL(`${dir}/`, FIXTURES)).filter((f) => f.endsWith(".json") && f !== "expected.json");
    expect(cases.map((c) => c.file).sort()).toEqual(files.sort());
  });
});

describe("parseDistributionEnvelope: Distribution v3", () => {
  const v3 = (file: string) => fixture("distribution-v3", file) as { events: Array<Record<string, any>> };

  it("takes a v3 tag delete's empty digest as no digest", () => {
    const [event] = parseOk(v3("v3.1-tag-delete.json")).events;
    expect(event).toMatchObject({ type: "TAG_DELETE", tag: "1.4.1", digest: null, data: { mediaType: null } });
    expect(renderDtr(event as RegistryEvent).location).toBe("/repositories/acme/web/tags/1.4.1");
  });

  it("turns a delete naming only the repository (bridge.go RepoDeleted) into REPO_DELETED", () => {
    const [event] = parseOk(v3("v3.1-repository-delete.json")).events;
    expect(renderDtr(event as RegistryEvent)).toStrictEqual({
      type: "REPO_DELETED",
      createdAt: "2026-11-23T10:00:13.623Z",
      contents: { namespace: "acme", repository: "old-web", event: "REPO_DELETED", author: "alice", data: {} },
      location: "/repositories/acme/old-web",
    });
    // 2.8 writes the same event without the empty descriptor fields.
    const old = parseOk({
      events: [registryEvent({ action: "delete", method: "DELETE", target: { repository: "acme/web" } })],
    });
    expect(types(old.events)).toEqual(["REPO_DELETED"]);
  });

  it("tolerates every field of the embedded OCI descriptor on the target", () => {
    const body = v3("v3.1-manifest-push-tag.json");
    const [event] = body.events;
    Object.assign(event!.target, {
      urls: ["https://mirror.example.com/blob"],
      annotations: { "org.opencontainers.image.created": "2026-11-23T09:58:00Z" },
      data: "e30=",
      platform: { architecture: "arm64", os: "linux", variant: "v8" },
      artifactType: "application/vnd.example.sbom+json",
    });
    expect(types(parseOk(body).events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
  });

  it("keeps 2.8 and v3 events apart in one envelope", () => {
    const { events, ignored } = parseOk({
      events: [manifestPush("acme/api", "2.0", "bob"), ...v3("v3.1-manifest-push-tag.json").events],
    });
    expect(events.map((e) => `${e.repository} ${e.type}`).sort()).toEqual([
      "acme/api MANIFEST_PUSH",
      "acme/api TAG_PUSH",
      "acme/web MANIFEST_PUSH",
      "acme/web TAG_PUSH",
    ]);
    expect(ignored).toBe(0);
  });
});

describe("parseDistributionEnvelope: GitLab's registry", () => {
  const gitlab = (file: string) => fixture("gitlab", file) as { events: Array<Record<string, any>> };
  const renameEvent = (rename: unknown) => {
    const body = gitlab("repository-rename-name.json");
    (body.events[0] as { target: Record<string, unknown> }).target.rename = rename;
    return body;
  };

  it("renders a rename as REPO_UPDATED of the new path, with both paths in contents.rename", () => {
    const [event] = parseOk(gitlab("repository-rename-namespace.json")).events;
    expect(renderDtr(event as RegistryEvent)).toStrictEqual({
      type: "REPO_UPDATED",
      createdAt: "2026-11-23T10:00:07.623Z",
      contents: {
        namespace: "acme",
        repository: "platform/redis",
        event: "REPO_UPDATED",
        author: "bob",
        data: { name: "redis", path: "acme/platform/redis" },
        rename: {
          type: "namespace",
          from: { namespace: "acme", repository: "platform-mirror/redis" },
          to: { namespace: "acme", repository: "platform/redis" },
        },
      },
      location: "/repositories/acme/platform/redis",
    });
  });

  it("refuses a rename without its rename object, naming the field", () => {
    const error = parseError(renameEvent(undefined));
    expect(error.field).toBe("events[0].target.rename");
  });

  it.each([
    [{ type: "name", from: "acme/web" }, "events[0].target.rename.to"],
    [{ type: "name", from: "acme/web", to: "Acme/Web-App" }, "events[0].target.rename.to"],
    [{ type: "name", from: 7, to: "acme/web-app" }, "events[0].target.rename.from"],
    ["acme/web-app", "events[0].target.rename"],
  ])("refuses the rename %j, naming %s", (rename, field) => {
    const error = parseError(renameEvent(rename));
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}:`)).toBe(true);
  });

  it("ignores a rename to a name without a namespace, as it ignores pushes to one", () => {
    expect(parseOk(renameEvent({ type: "name", from: "acme/web", to: "web" }))).toMatchObject({
      events: [],
      ignored: 1,
    });
  });

  it("reads the rename only of a rename: another action's stray rename field is no reason to refuse it", () => {
    const body = gitlab("manifest-push-tag.json");
    (body.events[0] as { target: Record<string, unknown> }).target.rename = "nonsense";
    expect(types(parseOk(body).events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
  });

  it("keeps the actor's user type and drops the user token", () => {
    const [event] = parseOk(gitlab("manifest-push-tag.json")).events;
    expect(event?.data).toStrictEqual({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      sourceTag: "1.4.2",
      actorType: "personal_access_token",
    });
  });

  it("refuses a user type that is not a string, naming the field", () => {
    const body = gitlab("manifest-push-tag.json");
    (body.events[0] as { actor: Record<string, unknown> }).actor.user_type = 3;
    expect(parseError(body).field).toBe("events[0].actor.user_type");
  });
});
