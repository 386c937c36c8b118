import { manifestPush } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISTRIBUTION_V1, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

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
