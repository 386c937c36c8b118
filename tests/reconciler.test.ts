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
    hookyard = await TestHookyard.start({ env: { HOOKYARD_RECONCILE_INTERVAL: "1s" } });
    // The only webhook the event matches is paused: its fan-out creates no delivery at all.
    const paused = await hookyard.createWebhook({
      name: "paused",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      enabled: false,
    });
    await hookyard.request("POST", "/api/v1/events", {
      token: hookyard.env.HOOKYARD_INGEST_TOKENS,
      body: { type: "TAG_PUSH", repository: "acme/web", tag: "while-paused" },
    });
    await waitFor(
      () =>
        hookyard.withQueues(async (queues) => {
          const counts = await queues.events.getJobCounts("waiting", "active", "delayed", "completed");
          return counts.completed === 1 && (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0;
        }),
      { what: "the event fanned out" },
    );
    // A completed job is kept for the latest 100 only: a busy registry's next events push it out.
    await hookyard.withQueues((queues) => queues.events.clean(0, 1_000, "completed"));
    const resumed = await hookyard.request("PATCH", `/api/v1/webhooks/${paused.id}`, { body: { enabled: true } });
    expect(resumed.status).toBe(200);
    // Resumed before a reconciler pass looked at the event (it looks at work older than one
    // interval): passes after it must not judge the event against today's webhooks.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(receiver.requests).toHaveLength(0);
    // What it missed is recover's to send, on request.
    const recovered = await hookyard.request("POST", `/api/v1/webhooks/${paused.id}/recover`, {
      body: { since: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(recovered.status).toBe(202);
    const sent = await receiver.waitForRequests(1);
    expect(sent.map((r) => (r.json as { contents: { tag: string } }).contents.tag)).toEqual(["while-paused"]);
  });
});
