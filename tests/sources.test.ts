import { type EventType, eventLevel, REGISTRY_EVENT_TYPES } from "@hookyard/core";
import { deleteQueueKeys, manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

const DIGEST = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";

/** One valid native event of each type (docs/event-payloads.md). */
function nativeEvent(type: EventType, id: string): Record<string, unknown> {
  switch (eventLevel(type)) {
    case "global":
      return { type, id, contents: { scanner_version: "2.4.0", db_version: 412, success: true } };
    case "namespace":
      return { type, id, namespace: "acme", repository: "acme/web" };
  }
  const image: Record<string, unknown> = { type, id, repository: "acme/web" };
  if (!type.startsWith("MANIFEST_")) image.tag = "1.0";
  if (!type.startsWith("TAG_")) image.digest = DIGEST;
  if (type === "SCAN_COMPLETED") image.contents = { scanSummary: { critical: 1, major: 2, minor: 3 } };
  if (type === "SCAN_FAILED") image.contents = { error: "scanner crashed" };
  if (type === "PROMOTION") image.contents = { target: { repository: "acme-prod/web", tag: "1.0" } };
  if (type.endsWith("_MIRRORING"))
    image.contents = { remote: { host: "mirror.example.com", repository: "mirror/web", tag: "1.0" } };
  return image;
}

describe("event sources", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  /** A Hookyard with a worker and one webhook taking TAG_PUSH of acme/web to `receiver`. */
  const startWithTagPushWebhook = async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    return hookyard.createWebhook({ name: "w", url: receiver.url, events: ["TAG_PUSH"], repository: "acme/web" });
  };

  const post = (path: string, body: unknown, contentType = "application/json") =>
    hookyard.request("POST", path, { body, token: INGEST_TOKEN, contentType });

  it("native events of all 15 types reach exactly the webhooks subscribed to them", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    for (const type of REGISTRY_EVENT_TYPES) {
      await hookyard.createWebhook({ name: type, url: `${receiver.url}/${type}`, events: [type] });
    }
    const res = await post("/api/v1/events", { events: REGISTRY_EVENT_TYPES.map((t, i) => nativeEvent(t, `n-${i}`)) });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    expect(res.json).toEqual({ accepted: 15, duplicates: 0, ignored: 0 });

    const received = await receiver.waitForRequests(15);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(15);
    for (const req of received) {
      const type = req.path.slice(1);
      expect(req.headers["x-hookyard-event"]).toBe(type);
      expect(req.json).toMatchObject({ type, createdAt: expect.any(String), location: expect.any(String) });
    }
    const byType = Object.fromEntries(received.map((r) => [r.path.slice(1), r.json as { contents: any }]));
    expect(byType.SCAN_COMPLETED?.contents).toMatchObject({
      namespace: "acme",
      repository: "web",
      tag: "1.0",
      scanSummary: { critical: 1, major: 2, minor: 3 },
    });
    expect(byType.SCAN_FAILED?.contents).toMatchObject({ error: "scanner crashed" });
    expect(byType.REPO_CREATED?.contents).toMatchObject({ namespace: "acme" });
    expect(byType.PROMOTION?.contents).toMatchObject({
      target: { repository: "web", namespace: "acme-prod", tag: "1.0" },
    });
    expect(byType.PUSH_MIRRORING?.contents).toMatchObject({ remote: { host: "mirror.example.com" } });
    expect(byType.SCANNER_UPDATE_COMPLETED?.contents).toMatchObject({ scanner_version: "2.4.0", success: true });
  });

  it("Harbor's default and CloudEvents formats become the product's types", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    await hookyard.createWebhook({ name: "all", url: receiver.url, events: ["*"], repository: "acme/web" });
    const repository = { name: "web", namespace: "acme", repo_full_name: "acme/web", repo_type: "private" };
    const push = {
      type: "PUSH_ARTIFACT",
      occur_at: 1_795_428_000,
      operator: "alice",
      event_data: {
        resources: [{ digest: DIGEST, tag: "1.0", resource_url: "harbor.example.com/acme/web:1.0" }],
        repository,
      },
    };
    expect((await post("/api/v1/ingest/harbor", push)).json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    const pulled = {
      specversion: "1.0",
      id: "4b2f89a6-548d-4c12-9993-a1f5790b97d2",
      source: "/projects/1/webhook/policies/3",
      type: "harbor.artifact.pulled",
      time: "2026-11-23T10:00:00Z",
      data: {
        resources: [{ digest: DIGEST, tag: "1.0", resource_url: "harbor.example.com/acme/web:1.0" }],
        repository,
      },
      operator: "bob",
    };
    const ce = await post("/api/v1/ingest/harbor", pulled, "application/cloudevents+json");
    expect(ce.json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    const quota = { type: "QUOTA_WARNING", occur_at: 1_795_428_000, operator: "system", event_data: { repository } };
    expect((await post("/api/v1/ingest/harbor", quota)).json).toMatchObject({ accepted: 0, ignored: 1 });

    await receiver.waitForRequests(4);
    const types = receiver.requests.map((r) => r.headers["x-hookyard-event"]).sort();
    expect(types).toEqual(["MANIFEST_PULL", "MANIFEST_PUSH", "TAG_PULL", "TAG_PUSH"]);
    const tagPush = receiver.requests.find((r) => r.headers["x-hookyard-event"] === "TAG_PUSH")?.json;
    expect(tagPush).toMatchObject({
      contents: { namespace: "acme", repository: "web", tag: "1.0", digest: DIGEST, author: "alice" },
    });
  });

  it("an envelope sent twice is counted as duplicates and delivered once", async () => {
    const webhook = await startWithTagPushWebhook();
    const envelope = manifestPush({ repository: "acme/web", tag: "1.0" });
    expect((await hookyard.ingestDistribution(envelope)).json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    expect((await hookyard.ingestDistribution(envelope)).json).toEqual({ accepted: 0, duplicates: 2, ignored: 0 });
    // Native events dedupe on their id.
    const native = { type: "TAG_PUSH", id: "ci-build-7", repository: "acme/web", tag: "2.0" };
    expect((await post("/api/v1/events", native)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await post("/api/v1/events", native)).json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });

    await hookyard.settledDeliveries(webhook.id, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(2);
  });

  it("answers 400 naming the field for a native event of an unknown type or a bad shape, and 415 for another type", async () => {
    hookyard = await TestHookyard.start({ worker: false });
    const unknown = await post("/api/v1/events", {
      events: [{ type: "TAG_PUSHED", repository: "acme/web", tag: "1" }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toContain("events[0].type");
    const wrong = await post("/api/v1/events", {
      type: "SCAN_COMPLETED",
      repository: "acme/web",
      tag: "1",
      contents: { scanSummary: { critical: "many" } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toContain("contents.scanSummary");
    const text = await hookyard.request("POST", "/api/v1/events", {
      rawBody: "{}",
      token: INGEST_TOKEN,
      contentType: "text/plain",
    });
    expect(text.status).toBe(415);
    expect(await hookyard.queuedEventJobs()).toBe(0);
  });

  it("an envelope re-sent after Redis lost its data is a duplicate, delivered once", async () => {
    const webhook = await startWithTagPushWebhook();
    const envelope = manifestPush({ repository: "acme/web", tag: "1.0" });
    expect((await hookyard.ingestDistribution(envelope)).json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    await hookyard.settledDeliveries(webhook.id, 1);
    // Postgres, not Redis, remembers the events it stored (decision 0014).
    await deleteQueueKeys(hookyard.config.redisUrl, hookyard.config.queuePrefix);
    expect((await hookyard.ingestDistribution(envelope)).json).toEqual({ accepted: 0, duplicates: 2, ignored: 0 });
    await waitFor(async () => (await hookyard.eventJobs()).every((job) => job.finishedOn), { what: "fan-out" });
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(1);
    expect(await hookyard.db.event.count()).toBe(2);
  });

  it("an accepted event has one id: its queue job's, its events row's and its delivery's", async () => {
    const webhook = await startWithTagPushWebhook();
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "1.0" }));
    const [delivery] = await hookyard.settledDeliveries(webhook.id, 1);

    const jobs = await hookyard.eventJobs();
    const rows = await hookyard.db.event.findMany({ select: { id: true, type: true } });
    expect(jobs.map((j) => j.id).sort()).toEqual(rows.map((r) => r.id).sort());
    for (const job of jobs) {
      expect(job.id).toMatch(/^evt_[0-9a-z]{26}$/);
      expect(job.data.event.id).toBe(job.id);
    }
    const shown = await hookyard.request("GET", `/api/v1/deliveries/${delivery?.id}`);
    expect(shown.json.eventId).toBe(rows.find((r) => r.type === "TAG_PUSH")?.id);
  });

  it("a registry re-sending an envelope it thinks failed still causes one delivery per webhook", async () => {
    const webhook = await startWithTagPushWebhook();
    // What the registry does when an answer is lost: the same envelope again, until a 2xx.
    const envelope = manifestPush({ repository: "acme/web", tag: "9.9" });
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push((await hookyard.ingestDistribution(envelope)).status);
    expect(answers).toEqual([202, 202, 202]);
    await hookyard.settledDeliveries(webhook.id, 1);
    await waitFor(() => receiver.requests.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(1);
  });
});
