import { fixtureFiles, quayCases, readFixture } from "@hookyard/testkit";
import { describe, expect, it } from "vitest";
import { renderDtr } from "../payloads/dtr.js";
import type { ParseResult, RegistryEvent } from "../registry-event.js";
import { checkStorableEvent } from "../storable.js";
import { parseQuayNotification, QUAY_DEDUP_WINDOW_MS } from "./quay.js";

/*
 * The golden fixtures in __fixtures__/quay follow quay/quay's own call sites (README.md there);
 * cases.json says which `?event=` each is posted with and what it must become.
 */

const RECEIVED = "2026-11-23T10:00:30.123Z";
const DIGEST = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";

const CASES = quayCases();
const fixture = (file: string) => readFixture("quay", file);

function parseOk(body: unknown, event: string | null = null, receivedAt = RECEIVED) {
  const result = parseQuayNotification(body, receivedAt, event);
  if (!result.ok) throw new Error(`expected the body to parse, got: ${result.message}`);
  return result;
}

function parseError(body: unknown, event: string | null = null) {
  const result: ParseResult = parseQuayNotification(body, RECEIVED, event);
  if (result.ok) throw new Error(`expected a failure, got ${result.events.length} events`);
  return result;
}

const push = (over: Record<string, unknown> = {}) => ({ ...fixture("repo_push.v2.json"), ...over });

describe("parseQuayNotification: the golden fixtures", () => {
  it.each(CASES)("$file (event=$event) becomes $types", ({ file, event, types, ignored }) => {
    const result = parseOk(fixture(file), event);
    expect(result.events.map((e) => e.type)).toEqual(types);
    expect(result.ignored).toBe(ignored);
    for (const [index, e] of result.events.entries()) {
      expect(e.source).toBe("quay");
      expect(e.occurredAt).toBe(RECEIVED);
      expect(checkStorableEvent(e, ["events", index])).toBeNull();
    }
    expect(new Set(result.events.map((e) => e.dedupKey)).size).toBe(result.events.length);
  });

  it("lists every fixture file in cases.json", () => {
    const files = fixtureFiles("quay");
    expect(new Set(CASES.map((c) => c.file))).toEqual(new Set(files));
  });
});

describe("parseQuayNotification: repo_push", () => {
  it("makes a v2 push one TAG_PUSH with no digest, the registry host taken from docker_url", () => {
    const { events, ignored } = parseOk(fixture("repo_push.v2.json"));
    expect(ignored).toBe(0);
    expect(events).toStrictEqual([
      {
        type: "TAG_PUSH",
        dedupKey: expect.stringMatching(/^quay:sha256:[0-9a-f]{64}:2026-11-23T10:00:00\.000Z:0:TAG_PUSH$/),
        source: "quay",
        namespace: "acme",
        repository: "acme/web",
        tag: "1.0",
        digest: null,
        actor: null,
        occurredAt: RECEIVED,
        data: {
          quayEvent: "repo_push",
          registryHost: "quay.example.com",
          homepage: "https://quay.example.com/repository/acme/web",
        },
      },
    ]);
    expect(renderDtr(events[0] as RegistryEvent)).toStrictEqual({
      type: "TAG_PUSH",
      createdAt: RECEIVED,
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        digest: "",
        imageName: "quay.example.com/acme/web:1.0",
        os: "",
        architecture: "",
        author: "",
        pushedAt: RECEIVED,
      },
      location: "/repositories/acme/web/tags/1.0",
    });
  });

  it("makes a v1 push one TAG_PUSH per updated tag, each with its own dedup key", () => {
    const { events } = parseOk(fixture("repo_push.v1-tags.json"));
    expect(events.map((e) => e.tag)).toEqual(["2.0", "latest"]);
    expect(events[0]?.dedupKey).not.toBe(events[1]?.dedupKey);
  });

  it("keeps a nested repository name and the host's port", () => {
    const [event] = parseOk(fixture("repo_push.nested-name.json"), "repo_push").events;
    expect(event).toMatchObject({ namespace: "acme", repository: "acme/team/api", tag: "v3.1.0" });
    expect(renderDtr(event as RegistryEvent).contents).toMatchObject({
      namespace: "acme",
      repository: "team/api",
      imageName: "quay.example.com:8443/acme/team/api:v3.1.0",
    });
  });

  it("counts a push without tags as ignored, and leaves out the host when docker_url is not Quay's", () => {
    expect(parseOk(push({ updated_tags: [] }))).toEqual({ ok: true, events: [], ignored: 1 });
    const [event] = parseOk(push({ docker_url: "elsewhere/x" })).events;
    expect(event?.data.registryHost).toBeNull();
    const [bare] = parseOk(push({ docker_url: undefined, homepage: undefined })).events;
    expect(bare?.data).toEqual({ quayEvent: "repo_push", registryHost: null, homepage: null });
  });

  it("ignores Quay's test notification (its sample data)", () => {
    expect(parseOk(fixture("repo_push.test-notification.json"))).toEqual({ ok: true, events: [], ignored: 1 });
  });
});

describe("parseQuayNotification: vulnerability_found", () => {
  it("makes one SCAN_COMPLETED per tag, counting the one vulnerability in its DTR band", () => {
    const { events } = parseOk(fixture("vulnerability_found.new-index.json"));
    expect(events.map((e) => e.tag)).toEqual(["1.0", "latest"]);
    expect(events[0]).toMatchObject({ type: "SCAN_COMPLETED", repository: "acme/web", digest: null });
    expect(events[0]?.data).toStrictEqual({
      quayEvent: "vulnerability_found",
      registryHost: "quay.example.com",
      homepage: "https://quay.example.com/repository/acme/web",
      scanSummary: { critical: 1, major: 0, minor: 0, last_scan_status: 6, check_completed_at: RECEIVED },
      vulnerabilities: [{ id: "CVE-2024-45491", priority: "Critical", hasFix: true }],
    });
    expect(renderDtr(events[1] as RegistryEvent)).toStrictEqual({
      type: "SCAN_COMPLETED",
      createdAt: RECEIVED,
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "latest",
        imageName: "quay.example.com/acme/web:latest",
        scanSummary: {
          namespace: "acme",
          repository: "web",
          tag: "latest",
          critical: 1,
          major: 0,
          minor: 0,
          last_scan_status: 6,
          check_completed_at: RECEIVED,
        },
      },
      location: "/repositories/acme/web/tags/latest",
    });
  });

  it("names an untagged manifest by its digest; Red Hat's Moderate is major", () => {
    const [event] = parseOk(fixture("vulnerability_found.untagged.json"), "vulnerability_found").events;
    expect(event).toMatchObject({ tag: null, digest: DIGEST });
    expect(event?.data.scanSummary).toMatchObject({ critical: 0, major: 1, minor: 0 });
    expect(renderDtr(event as RegistryEvent)).toMatchObject({
      contents: { tag: "", imageName: `quay.example.com/acme/web@${DIGEST}` },
      location: `/repositories/acme/web/manifests/${DIGEST}`,
    });
  });

  it("bands every priority Quay and its scanners send, case ignored; Unknown is not counted", () => {
    const summary = (priority: string) =>
      parseOk({ ...fixture("vulnerability_found.clair-notification.json"), vulnerability: { priority } }).events[0]
        ?.data.scanSummary;
    for (const p of ["Critical", "High", "IMPORTANT"]) expect(summary(p), p).toMatchObject({ critical: 1 });
    for (const p of ["Medium", "moderate"]) expect(summary(p), p).toMatchObject({ major: 1, critical: 0 });
    for (const p of ["Low", "Negligible", "unimportant"]) expect(summary(p), p).toMatchObject({ minor: 1 });
    expect(summary("Unknown")).toMatchObject({ critical: 0, major: 0, minor: 0 });
  });

  it("counts every entry of an older release's `vulnerabilities` list", () => {
    const body = {
      ...fixture("vulnerability_found.clair-notification.json"),
      vulnerabilities: [{ priority: "High" }, { priority: "High" }, { priority: "Low" }],
    };
    expect(parseOk(body).events[0]?.data.scanSummary).toMatchObject({ critical: 2, major: 0, minor: 1 });
  });

  it("ignores Quay's test notification (CVE-FAKE-CVE)", () => {
    expect(parseOk(fixture("vulnerability_found.test-notification.json"))).toEqual({
      ok: true,
      events: [],
      ignored: 1,
    });
  });
});

describe("parseQuayNotification: mirror syncs, builds and the rest", () => {
  it("makes a finished mirror sync (with ?event=) one POLL_MIRRORING, the remote read from the message", () => {
    const { events } = parseOk(fixture("repo_mirror_sync_success.json"), "repo_mirror_sync_success");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "POLL_MIRRORING",
      repository: "acme/alpine",
      tag: null,
      digest: null,
      data: { remote: { host: "docker.io", repository: "library/alpine" }, tagPattern: "3.20,latest" },
    });
    expect(renderDtr(events[0] as RegistryEvent)).toStrictEqual({
      type: "POLL_MIRRORING",
      createdAt: RECEIVED,
      contents: {
        namespace: "acme",
        repository: "alpine",
        tag: "",
        digest: "",
        imageName: "quay.example.com/acme/alpine",
        direction: "poll",
        remote: { host: "docker.io", repository: "library/alpine", tag: "" },
        author: "",
        mirroredAt: RECEIVED,
      },
      location: "/repositories/acme/alpine",
    });
  });

  it("keeps a mirror event whose message is not the usual one, with an empty remote", () => {
    const body = { ...fixture("repo_mirror_sync_success.json"), message: "done" };
    const [event] = parseOk(body, "repo_mirror_sync_success").events;
    expect(event?.data).toMatchObject({ remote: { host: "", repository: "" }, tagPattern: null });
  });

  it("ignores a mirror body without ?event=: started and finished syncs send the same message", () => {
    const started = fixture("repo_mirror_sync_started.json");
    expect(started).toEqual(fixture("repo_mirror_sync_success.json"));
    expect(parseOk(started)).toEqual({ ok: true, events: [], ignored: 1 });
  });

  it("refuses an ?event= that is no Quay event, and a body that is not the event it names", () => {
    expect(parseError(fixture("repo_push.v2.json"), "repo_pushed")).toMatchObject({ field: "query.event" });
    expect(parseError(fixture("repo_push.v2.json"), "repo_mirror_sync_success")).toMatchObject({
      field: "message",
    });
    expect(parseError(fixture("repo_mirror_sync_success.json"), "repo_push")).toMatchObject({
      field: "updated_tags",
    });
    expect(parseError(fixture("repo_push.v2.json"), "vulnerability_found")).toMatchObject({ field: "tags" });
    const noVulnerability = { ...fixture("vulnerability_found.new-index.json"), vulnerability: undefined };
    expect(parseError(noVulnerability, "vulnerability_found")).toMatchObject({ field: "vulnerability" });
  });

  it("an empty ?event= is no hint", () => {
    expect(parseOk(fixture("repo_push.v2.json"), "").events).toHaveLength(1);
  });
});

describe("parseQuayNotification: bad input", () => {
  it.each([
    ["an array", [], "body"],
    ["null", null, "body"],
    ["no repository", push({ repository: undefined }), "repository"],
    ["a repository that is not a string", push({ repository: 7 }), "repository"],
    [
      "a repository without a namespace",
      push({ repository: "web", namespace: undefined, name: undefined }),
      "repository",
    ],
    ["an uppercase repository", push({ repository: "Acme/web" }), "repository"],
    ["a namespace that is not the repository's", push({ namespace: "other" }), "namespace"],
    ["a name that is not the repository's", push({ name: "api" }), "name"],
    ["updated_tags that is not a list", push({ updated_tags: "1.0" }), "updated_tags"],
    ["a tag with a space", push({ updated_tags: ["1.0", "a b"] }), "updated_tags[1]"],
    ["a tag with a slash", push({ updated_tags: ["a/b"] }), "updated_tags[0]"],
    ["docker_url that is not a string", push({ docker_url: 1 }), "docker_url"],
  ])("refuses %s, naming %s", (_what, body, field) => {
    const failure = parseError(body);
    expect(failure.field).toBe(field);
    expect(failure.message.startsWith(`${field}: `)).toBe(true);
  });

  it("refuses a vulnerability without a priority, and a tags entry that is neither tag nor digest", () => {
    const body = fixture("vulnerability_found.new-index.json");
    expect(parseError({ ...body, vulnerability: { id: "CVE-1" } }).field).toBe("vulnerability.priority");
    expect(parseError({ ...body, tags: ["sha256:short"] }).field).toBe("tags[0]");
  });

  it("counts a body of no known shape as ignored, not refused", () => {
    expect(parseOk({})).toEqual({ ok: true, events: [], ignored: 1 });
    expect(parseOk({ repository: 42, something: "new" })).toEqual({ ok: true, events: [], ignored: 1 });
  });
});

describe("parseQuayNotification: dedup keys", () => {
  const key = (body: unknown, at: string) => parseOk(body, null, at).events[0]?.dedupKey;

  it("are equal for the same body in the same minute, whatever the key order", () => {
    const body = fixture("repo_push.v2.json");
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    expect(key(body, "2026-11-23T10:00:00.000Z")).toBe(key(reordered, "2026-11-23T10:00:59.999Z"));
  });

  it("differ for the same body a window later: a second push of a tag is a new event", () => {
    const body = fixture("repo_push.v2.json");
    const later = new Date(Date.parse(RECEIVED) + QUAY_DEDUP_WINDOW_MS).toISOString();
    expect(key(body, RECEIVED)).not.toBe(key(body, later));
  });

  it("differ for different bodies", () => {
    expect(key(push(), RECEIVED)).not.toBe(key(push({ updated_tags: ["1.1"] }), RECEIVED));
  });
});
