import { deliveryQueueOf } from "@hookyard/queues";
import { manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

// The worker that fans an event out makes its deliveries' first attempts itself, without a delivery
// job, and writes each delivery with its first attempt (apps/worker services/dispatch.ts, docs/decisions/0012, 0015).
describe("first attempts made by fan-out", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  it("need no delivery job; what is left after one (a retry) is a job under the delivery's id", async () => {
    let flakyRequests = 0;
    receiver = await startReceiver((request) => {
      if (request.path !== "/flaky") return { status: 200 };
      flakyRequests += 1;
      return { status: flakyRequests === 1 ? 503 : 200 };
    });
    hookyard = await TestHookyard.start();
    const ok = await hookyard.createWebhook({
      name: "ok",
      url: `${receiver.url}/ok`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const flaky = await hookyard.createWebhook({
      name: "flaky",
      url: `${receiver.url}/flaky`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "1.0" }))).status).toBe(202);
    const [delivered] = await hookyard.settledDeliveries(ok.id, 1);
    const [retried] = await hookyard.settledDeliveries(flaky.id, 1);

    expect(delivered).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(retried).toMatchObject({ status: "succeeded", attempts: 2 });
    const jobs = await hookyard.withQueues(async (queues) => ({
      delivered: await deliveryQueueOf(queues, ok.id).getJob(delivered?.id as string),
      retried: await (await deliveryQueueOf(queues, flaky.id).getJob(retried?.id as string))?.getState(),
    }));
    expect(jobs).toEqual({ delivered: undefined, retried: "completed" });
    // Each request once: the first attempt here, the second from the job.
    expect(receiver.requests.filter((r) => r.path === "/flaky")).toHaveLength(2);
    expect(receiver.requests.filter((r) => r.path === "/ok")).toHaveLength(1);
  });

  it("are not taken for lost by the reconciler while their answer is still awaited, however long", async () => {
    // Each answer takes longer than the reconciler's lock (5 s at least, so passes come that far
    // apart): a pass comes while the deliveries are pending, older than its interval and without a
    // job of their own.
    receiver = await startReceiver(() => ({ status: 200, delayMs: 6_500 }));
    hookyard = await TestHookyard.start({
      env: { HOOKYARD_RECONCILE_INTERVAL: "500ms", HOOKYARD_DELIVERY_TIMEOUT: "10s", LOG_LEVEL: "info" },
    });
    const webhooks = await Promise.all(
      ["a", "b", "c"].map((name) =>
        hookyard.createWebhook({ name, url: `${receiver.url}/${name}`, events: ["TAG_PUSH"], repository: "acme/web" }),
      ),
    );

    for (const tag of ["1.0", "1.1"]) {
      expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag }))).status).toBe(202);
    }
    for (const webhook of webhooks) {
      const settled = await hookyard.settledDeliveries(webhook.id, 2, 25_000);
      expect(settled).toMatchObject([
        { status: "succeeded", attempts: 1 },
        { status: "succeeded", attempts: 1 },
      ]);
    }
    await waitFor(() => receiver.requests.length >= 6);
    const ids = receiver.requests.map((r) => String(r.headers["webhook-id"]));
    expect(new Set(ids).size).toBe(6);
    expect(ids).toHaveLength(6);
    expect(hookyard.logLines.filter((l) => l.message === "reconciler queued again work the queue had lost")).toEqual(
      [],
    );
  });
});
