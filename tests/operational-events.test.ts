import { freePort, manifestPush, type ReceivedRequest, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";
import { userWithGrants } from "./support/users.js";

/*
 * Issue 16: Hookyard's own events (WEBHOOK_DISABLED, WEBHOOK_ENABLED, DELIVERY_EXHAUSTED,
 * CHAIN_RUN_ENDED) reach whoever subscribed to them in the scope of the webhook they concern,
 * never that webhook itself, and a failing subscriber of them sets off no loop.
 */

const OPERATIONAL = ["WEBHOOK_DISABLED", "WEBHOOK_ENABLED", "DELIVERY_EXHAUSTED", "CHAIN_RUN_ENDED"];

interface Body {
  type: string;
  contents: {
    webhook: { id: string; name: string };
    reason?: string | null;
    failedDeliveries?: number;
    since?: string;
    until?: string;
    run?: { state: string; step: number; reason: string };
  };
}

const bodies = (receiver: Receiver, type?: string) =>
  receiver.requests.map((r: ReceivedRequest) => r.json as Body).filter((b) => !type || b.type === type);

describe("operational events", () => {
  let hookyard: TestHookyard;
  let watcher: Receiver;
  let ownerWatcher: Receiver;
  let stranger: Receiver;
  const receivers: Receiver[] = [];
  let repo = 0;

  beforeAll(async () => {
    watcher = await startReceiver();
    ownerWatcher = await startReceiver();
    stranger = await startReceiver();
    receivers.push(watcher, ownerWatcher, stranger);
    hookyard = await TestHookyard.start({
      env: { PORT: String(await freePort()), HOOKYARD_EXHAUSTION_INTERVAL: "2s", LOG_LEVEL: "info" },
    });
    // The acme namespace's owner watches every acme webhook; a webhook of another namespace hears nothing of acme.
    await hookyard.createWebhook({ name: "ns-watch", url: ownerWatcher.url, events: OPERATIONAL, namespace: "acme" });
    await hookyard.createWebhook({ name: "stranger", url: stranger.url, events: OPERATIONAL, namespace: "other" });
  });
  afterAll(async () => {
    await hookyard?.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  /** A repository of its own, watched by a repository webhook subscribed to every operational type. */
  async function watchedRepository() {
    repo += 1;
    const repository = `acme/app-${repo}`;
    await hookyard.createWebhook({ name: "watch", url: `${watcher.url}/${repo}`, events: OPERATIONAL, repository });
    return repository;
  }
  const about = (receiver: Receiver, webhookId: string, type: string) =>
    bodies(receiver, type).filter((b) => b.contents.webhook.id === webhookId);

  it("reports a webhook disabled by a 410 and enabled again to its scope's subscribers, never to itself", async () => {
    const repository = await watchedRepository();
    let gone = true;
    const target = await startReceiver(() => ({ status: gone ? 410 : 200 }));
    receivers.push(target);
    // It subscribes to operational events too: it must still never hear about itself.
    const webhook = await hookyard.createWebhook({
      name: "deploy",
      url: target.url,
      events: ["TAG_PUSH", ...OPERATIONAL],
      repository,
    });
    await hookyard.ingestDistribution(manifestPush({ repository, tag: "v1" }));

    await waitFor(() => about(watcher, webhook.id, "WEBHOOK_DISABLED").length === 1, { what: "WEBHOOK_DISABLED" });
    const [disabled] = about(watcher, webhook.id, "WEBHOOK_DISABLED");
    expect(disabled?.contents).toMatchObject({ webhook: { id: webhook.id, name: "deploy" } });
    expect(disabled?.contents.reason).toMatch(/^the receiver answered 410 Gone at /);
    await waitFor(() => about(ownerWatcher, webhook.id, "WEBHOOK_DISABLED").length === 1, { what: "the owner's copy" });

    gone = false;
    const enabled = await hookyard.request("PATCH", `/api/v1/webhooks/${webhook.id}`, { body: { enabled: true } });
    expect(enabled.status).toBe(200);
    await waitFor(() => about(watcher, webhook.id, "WEBHOOK_ENABLED").length === 1, { what: "WEBHOOK_ENABLED" });
    expect(about(watcher, webhook.id, "WEBHOOK_ENABLED")[0]?.contents.reason).toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // The webhook was enabled and subscribed when the event about it went out, and did not get it.
    expect(target.requests.map((r) => (r.json as Body).type)).toEqual(["TAG_PUSH"]);
    expect(bodies(stranger)).toEqual([]);
  });

  it("reports deliveries that failed for good once per webhook per interval, with their count", async () => {
    const repository = await watchedRepository();
    const failing = await startReceiver(() => ({ status: 503 }));
    receivers.push(failing);
    const webhook = await hookyard.createWebhook({ name: "flaky", url: failing.url, events: ["TAG_PUSH"], repository });
    for (const tag of ["v1", "v2", "v3"]) await hookyard.ingestDistribution(manifestPush({ repository, tag }));
    await hookyard.settledDeliveries(webhook.id, 3);

    await waitFor(
      () =>
        about(watcher, webhook.id, "DELIVERY_EXHAUSTED").reduce((n, b) => n + (b.contents.failedDeliveries ?? 0), 0) ===
        3,
      { what: "three failures reported", timeoutMs: 15_000 },
    );
    const reports = about(watcher, webhook.id, "DELIVERY_EXHAUSTED");
    // Batched: each report covers a window of at least the interval, and the windows do not overlap.
    for (const [i, report] of reports.entries()) {
      const since = Date.parse(report.contents.since as string);
      const until = Date.parse(report.contents.until as string);
      expect(until - since).toBeGreaterThanOrEqual(2_000);
      const next = reports[i + 1];
      if (next) expect(Date.parse(next.contents.since as string)).toBeGreaterThanOrEqual(until);
    }
    expect(reports.length).toBeLessThan(3);
  });

  it("lets a failing subscriber of operational events set off no loop of events about itself", async () => {
    const repository = await watchedRepository();
    const broken = await startReceiver(() => ({ status: 500 }));
    const failing = await startReceiver(() => ({ status: 500 }));
    receivers.push(broken, failing);
    const subscriber = await hookyard.createWebhook({
      name: "broken-watch",
      url: broken.url,
      events: ["DELIVERY_EXHAUSTED"],
      repository,
    });
    const source = await hookyard.createWebhook({ name: "source", url: failing.url, events: ["TAG_PUSH"], repository });
    await hookyard.ingestDistribution(manifestPush({ repository, tag: "v1" }));
    // The subscriber gets the report about the source, and fails on it, every attempt.
    await waitFor(() => bodies(broken, "DELIVERY_EXHAUSTED").length >= 4, {
      what: "the subscriber's attempts",
      timeoutMs: 15_000,
    });
    await hookyard.settledDeliveries(subscriber.id, 1);
    // Three more intervals: its own failure raises no report, here or anywhere.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(about(watcher, subscriber.id, "DELIVERY_EXHAUSTED")).toEqual([]);
    expect(new Set(bodies(broken).map((b) => b.contents.webhook.id))).toEqual(new Set([source.id]));
    expect(await hookyard.db.operationalEvent.count({ where: { webhookId: subscriber.id } })).toBe(0);
  });

  it("reports a chain run that ended without completing, with its step and reason", async () => {
    const repository = await watchedRepository();
    const ci = await startReceiver((req) => {
      const url = (req.json as { callback_url: string }).callback_url;
      setTimeout(() => {
        void fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ state: "failure", description: "2 tests FAILED" }),
        });
      }, 50);
      return { status: 200 };
    });
    receivers.push(ci);
    const step = await hookyard.createWebhook({
      name: "ci",
      url: ci.url,
      events: ["TAG_PUSH"],
      repository,
      format: "dockerhub",
    });
    const chain = await hookyard.request("POST", "/api/v1/chains", {
      body: { name: "release", repository, events: ["TAG_PUSH"], webhooks: [step.id] },
    });
    expect(chain.status).toBe(201);
    await hookyard.ingestDistribution(manifestPush({ repository, tag: "v1" }));

    await waitFor(() => about(watcher, step.id, "CHAIN_RUN_ENDED").length === 1, { what: "CHAIN_RUN_ENDED" });
    expect(about(watcher, step.id, "CHAIN_RUN_ENDED")[0]?.contents).toMatchObject({
      chain: { id: chain.json.id, name: "release" },
      run: { state: "interrupted", step: 1, reason: "step 1: the receiver called back failure: 2 tests FAILED" },
      webhook: { id: step.id, name: "ci" },
    });
  });

  it("takes subscriptions to them as to any type: within the caller's scope only, named, never sent by a registry", async () => {
    const admin = await userWithGrants(hookyard, [{ repository: "acme/mine" }]);
    const outside = await hookyard.request("POST", "/api/v1/webhooks", {
      token: admin,
      body: { name: "x", url: "http://127.0.0.1:9/h", events: ["WEBHOOK_DISABLED"], repository: "acme/theirs" },
    });
    expect(outside.status).toBe(403);
    const inside = await hookyard.request("POST", "/api/v1/webhooks", {
      token: admin,
      body: { name: "x", url: "http://127.0.0.1:9/h", events: ["WEBHOOK_DISABLED"], repository: "acme/mine" },
    });
    expect(inside.status).toBe(201);
    // "*" keeps meaning the registry's 15 types.
    const all = await hookyard.createWebhook({
      name: "all",
      url: "http://127.0.0.1:9/h",
      events: ["*"],
      repository: "acme/mine",
    });
    const created = await hookyard.request("GET", `/api/v1/webhooks/${all.id}`);
    expect(created.json.events).toHaveLength(11);
    expect(created.json.events).not.toContain("WEBHOOK_DISABLED");

    const forged = await hookyard.request("POST", "/api/v1/events", {
      token: "test-ingest-token-0123456789",
      body: { events: [{ type: "WEBHOOK_DISABLED", repository: "acme/web", contents: {} }] },
    });
    expect(forged.status).toBe(400);
    expect(forged.json.error.message).toContain("WEBHOOK_DISABLED is Hookyard's own event type");
  });
});
