import { eventRowData, recordEventsAndFanOut } from "@hookyard/db";
import { deleteQueueKeys, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";
import { acceptedEvent } from "./support/rows.js";

/*
 * Postgres is the record; Redis only moves the work. When Redis loses jobs (flushed, restored from
 * an older snapshot, a job left in the failed set), the reconciler finds the work in Postgres and
 * queues it again.
 */
describe("reconciler", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  const event = (tag: string) => acceptedEvent({ tag });

  it("queues again pending deliveries and unfanned events that Redis never had, once each", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_RECONCILE_INTERVAL: "300ms" } });
    // An event stored before any webhook existed must not be delivered to one created later.
    await hookyard.db.event.create({
      data: {
        ...eventRowData(event("before-webhook")),
        receivedAt: new Date(Date.now() - 60_000),
        awaitingFanOut: true,
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const webhook = await hookyard.createWebhook({
      name: "ci",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    // Deliveries created in Postgres whose jobs never reached Redis (a worker died in between).
    await recordEventsAndFanOut(hookyard.db, [event("pending-1"), event("pending-2"), event("pending-3")]);
    // Events ingest stored (answered 202) whose jobs Redis lost before any fan-out took them.
    for (const tag of ["unfanned-1", "unfanned-2"]) {
      await hookyard.db.event.create({ data: { ...eventRowData(event(tag)), awaitingFanOut: true } });
    }
    await new Promise((resolve) => setTimeout(resolve, 400));

    await hookyard.startWorker();
    const tags = (await receiver.waitForRequests(5)).map((r) => (r.json as { contents: { tag: string } }).contents.tag);
    expect(tags.sort()).toEqual(["pending-1", "pending-2", "pending-3", "unfanned-1", "unfanned-2"]);

    // Later passes find nothing more to do: nothing is sent twice.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(receiver.requests).toHaveLength(5);
    await hookyard.settledDeliveries(webhook.id, 5);
    const metrics = await fetch(`${hookyard.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = await metrics.text();
    expect(text).toContain('hookyard_reconciler_repaired_total{kind="deliveries"} 3');
    // The event older than the webhook was queued again too, and went to no webhook.
    expect(text).toContain('hookyard_reconciler_repaired_total{kind="events"} 3');
  });

  it("recovers deliveries waiting for a retry after Redis lost every job", async () => {
    let failing = true;
    receiver = await startReceiver(() => (failing ? { status: 503 } : { status: 200 }));
    hookyard = await TestHookyard.start({
      env: { HOOKYARD_RECONCILE_INTERVAL: "300ms", HOOKYARD_RETRY_SCHEDULE: "1h" },
    });
    const webhook = await hookyard.createWebhook({
      name: "ci",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await hookyard.request("POST", "/api/v1/events", {
      token: hookyard.env.HOOKYARD_INGEST_TOKENS,
      body: { events: ["a", "b", "c", "d"].map((tag) => ({ type: "TAG_PUSH", repository: "acme/web", tag })) },
    });
    await receiver.waitForRequests(4);
    // Their retries wait an hour in Redis; then Redis loses everything (a flush, a restore).
    await hookyard.stopWorker();
    await deleteQueueKeys(hookyard.config.redisUrl, hookyard.config.queuePrefix);
    failing = false;
    await hookyard.startWorker();

    const settled = await hookyard.settledDeliveries(webhook.id, 4);
    expect(settled.map((d) => d.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    await waitFor(() => receiver.requests.length === 8);
    const perDelivery = new Map<string, number>();
    for (const r of receiver.requests) {
      const id = String(r.headers["webhook-id"]);
      perDelivery.set(id, (perDelivery.get(id) ?? 0) + 1);
    }
    expect([...perDelivery.values()]).toEqual([2, 2, 2, 2]);
  });

  it("never delivers an event again to a webhook that was paused when it arrived and resumed since", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ env: { HOOKYARD_RECONCILE_INTERVAL: "200ms" } });
    const paused = await hookyard.createWebhook({
      name: "paused",
      url: `${receiver.url}/paused`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      enabled: false,
    });
    const active = await hookyard.createWebhook({
      name: "active",
      url: `${receiver.url}/active`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await hookyard.request("POST", "/api/v1/events", {
      token: hookyard.env.HOOKYARD_INGEST_TOKENS,
      body: { type: "TAG_PUSH", repository: "acme/web", tag: "while-paused" },
    });
    await hookyard.settledDeliveries(active.id, 1);
    expect((await hookyard.request("PATCH", `/api/v1/webhooks/${paused.id}`, { body: { enabled: true } })).status).toBe(
      200,
    );
    // Passes enough to look at the event again, had they judged it against today's webhooks.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.requests.map((r) => r.path)).toEqual(["/active"]);
    // What it missed is recover's to send, on request.
    const recovered = await hookyard.request("POST", `/api/v1/webhooks/${paused.id}/recover`, {
      body: { since: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(recovered.status).toBe(202);
    await receiver.waitForRequests(2);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(["/active", "/paused"]);
  });
});
