import { gzipSync } from "node:zlib";
import { manifestPush, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISTRIBUTION_V1, INGEST_ROUTES, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

describe("POST /api/v1/ingest/distribution", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const post = (options: Parameters<TestHookyard["request"]>[2]) =>
    hookyard.request("POST", "/api/v1/ingest/distribution", {
      token: INGEST_TOKEN,
      contentType: DISTRIBUTION_V1,
      ...options,
    });
  it("answers 401 without a token or with an unknown one, and queues nothing", async () => {
    const before = await hookyard.queuedEventJobs();
    expect((await post({ token: null, body: manifestPush({ repository: "acme/web" }) })).status).toBe(401);
    const wrong = await post({ token: "not-an-ingest-token-at-all", body: manifestPush({ repository: "acme/web" }) });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe("unauthorized");
    expect(await hookyard.queuedEventJobs()).toBe(before);
  });

  it("does not accept an admin API token as an ingest token", async () => {
    expect(
      (await post({ token: hookyard.env.HOOKYARD_ADMIN_TOKEN, body: manifestPush({ repository: "acme/web" }) })).status,
    ).toBe(401);
  });

  it("accepts the v1, v2 and plain JSON media types", async () => {
    for (const contentType of [
      DISTRIBUTION_V1,
      "application/vnd.docker.distribution.events.v2+json",
      "application/json",
    ]) {
      const res = await post({ contentType, body: manifestPush({ repository: "acme/web", tag: "1" }) });
      expect(res.status, contentType).toBe(202);
      expect(res.json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    }
  });

  it("answers 415 for another content type", async () => {
    const res = await post({
      contentType: "text/plain",
      rawBody: JSON.stringify(manifestPush({ repository: "acme/web" })),
    });
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe("unsupported_media_type");
  });

  it("answers 400 for malformed JSON and for an envelope without events, naming the problem", async () => {
    const malformed = await post({ rawBody: '{"events": [' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe("malformed_json");
    const noEvents = await post({ body: { hello: "world" } });
    expect(noEvents.status).toBe(400);
    expect(noEvents.json.error.message).toMatch(/^events/);
  });

  it("answers 400 naming the field for an invalid repository name", async () => {
    const envelope = manifestPush({ repository: "Acme/Web" });
    const res = await post({ body: envelope });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain("events[0].target.repository");
  });

  it("answers 413 for a body over the limit", async () => {
    const res = await post({ rawBody: JSON.stringify({ events: [], pad: "x".repeat(1_100_000) }) });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("payload_too_large");
  });

  it("counts an envelope posted by two publishers at once as accepted once, queued once", async () => {
    const before = await hookyard.queuedEventJobs();
    const envelope = manifestPush({ repository: "acme/web", tag: "twice-at-once" });
    const answers = await Promise.all([post({ body: envelope }), post({ body: envelope })]);
    const total = (key: "accepted" | "duplicates") => answers.reduce((n, a) => n + a.json[key], 0);
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect([total("accepted"), total("duplicates")]).toEqual([2, 2]);
    expect(await hookyard.queuedEventJobs()).toBe(before + 2);
  });

  it("counts blob pushes as ignored", async () => {
    const envelope = manifestPush({ repository: "acme/web" });
    const event = envelope.events[0] as { target: Record<string, unknown> };
    event.target.mediaType = "application/octet-stream";
    event.target.url = "http://127.0.0.1:5000/v2/acme/web/blobs/sha256:abc";
    const res = await post({ body: envelope });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
  });
});

describe("the ingest routes, served ahead of Express", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { LOG_LEVEL: "info" } });
  });
  afterAll(() => hookyard.close());

  it("match paths as Express does: any case, with or without a trailing slash", async () => {
    for (const path of ["/API/v1/Ingest/Distribution", "/api/v1/ingest/distribution/", "/api/v1/events?source=ci"]) {
      const body = path.includes("events")
        ? { type: "TAG_PUSH", repository: "acme/web", tag: "query" }
        : manifestPush({ repository: "acme/web", tag: "case" });
      const res = await hookyard.request("POST", path, { token: INGEST_TOKEN, body });
      expect(res.status, path).toBe(202);
    }
  });

  it("leave other methods on their paths to Express, which answers the JSON 404", async () => {
    const res = await hookyard.request("GET", "/api/v1/ingest/distribution", { token: INGEST_TOKEN });
    expect(res.status).toBe(404);
    expect(res.json.error).toEqual({ code: "not_found", message: "no route for GET /api/v1/ingest/distribution" });
  });

  it("take a gzip-compressed body, as body-parser does for every other route", async () => {
    const envelope = manifestPush({ repository: "acme/web", tag: "gz" });
    const res = await hookyard.request("POST", "/api/v1/ingest/distribution", {
      token: INGEST_TOKEN,
      contentType: DISTRIBUTION_V1,
      headers: { "content-encoding": "gzip" },
      rawBody: gzipSync(JSON.stringify(envelope)),
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
  });

  it("answer with the caller's X-Request-Id and write it in the access log line", async () => {
    const res = await hookyard.request("POST", "/api/v1/ingest/distribution", {
      token: INGEST_TOKEN,
      contentType: DISTRIBUTION_V1,
      headers: { "x-request-id": "registry-req-42" },
      body: manifestPush({ repository: "acme/web", tag: "traced" }),
    });
    expect(res.headers.get("x-request-id")).toBe("registry-req-42");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    await waitFor(() => hookyard.logLines.some((l) => l.requestId === "registry-req-42"), { what: "access log line" });
    expect(hookyard.logLines.find((l) => l.requestId === "registry-req-42")).toMatchObject({
      message: "request",
      method: "POST",
      path: "/api/v1/ingest/distribution",
      status: 202,
    });
    expect(JSON.stringify(hookyard.logLines)).not.toContain(INGEST_TOKEN);
  });

  it("give every request an id of its own when the caller sends none or a strange one", async () => {
    const body = manifestPush({ repository: "acme/web", tag: "untraced" });
    const plain = await hookyard.request("POST", "/api/v1/ingest/distribution", { token: INGEST_TOKEN, body });
    const odd = await hookyard.request("POST", "/api/v1/ingest/distribution", {
      token: INGEST_TOKEN,
      body,
      headers: { "x-request-id": "bad id with spaces" },
    });
    expect(plain.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers.get("x-request-id")).not.toBe(plain.headers.get("x-request-id"));
  });
});

describe("ingest refuses at the edge what Postgres cannot store, on every route", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const routes = INGEST_ROUTES;
  const post = (path: string, contentType: string, rawBody: string) =>
    hookyard.request("POST", path, { token: INGEST_TOKEN, contentType, rawBody });

  it.each(routes)("$path ($contentType): 400 for JSON nested 100,000 deep, and the API lives on", async (route) => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const res = await post(route.path, route.contentType, `{"events": ${deep}}`);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/^events(\[0\])+: is nested deeper than 32 levels$/);
    expect((await hookyard.request("GET", "/healthz", { token: null })).status).toBe(200);
  });

  it.each(routes)("$path ($contentType): 400 naming a NUL in a field Hookyard does not even read", async (route) => {
    const res = await post(route.path, route.contentType, '{"events": [], "x-vendor": {"note": "a\\u0000"}}');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe("x-vendor.note: must not contain NUL (\\u0000) characters");
  });

  it("refuses Harbor times outside the stored range instead of failing on them (default and CloudEvents)", async () => {
    const push = (occurAt: number) =>
      JSON.stringify({
        type: "PUSH_ARTIFACT",
        occur_at: occurAt,
        operator: "admin",
        event_data: { resources: [{ digest: "sha256:aa", tag: "1" }], repository: { repo_full_name: "acme/web" } },
      });
    const beyondDates = await post("/api/v1/ingest/harbor", "application/json", push(1e15));
    expect(beyondDates.status).toBe(400);
    expect(beyondDates.json.error.message).toMatch(/^occur_at: must be between 1970-01-01T00:00:00Z and 9999-12-31/);
    const cloudEvent = JSON.stringify({
      specversion: "1.0",
      id: "1",
      source: "/harbor",
      type: "harbor.artifact.pushed",
      time: "9999-12-31T23:59:59-23:59",
      data: {},
    });
    const year10000 = await post("/api/v1/ingest/harbor", "application/cloudevents+json", cloudEvent);
    expect(year10000.status).toBe(400);
    expect(year10000.json.error.message).toMatch(/^time: must be between/);
    expect(await hookyard.queuedEventJobs()).toBe(0);
  });
});
