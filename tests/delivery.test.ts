import { manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

describe("ingest -> queue -> worker -> receiver", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  it("retries a receiver that answers 500 twice and records three attempts and a succeeded delivery", async () => {
    receiver = await startReceiver((req) =>
      req.n <= 2 ? { status: 500, body: "not yet" } : { status: 200, body: "thanks" },
    );
    hookyard = await TestHookyard.start();
    const webhook = await hookyard.createWebhook({
      name: "ci",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    const ingest = await hookyard.ingestDistribution(
      manifestPush({ repository: "acme/web", tag: "1.0", actor: "alice" }),
    );
    expect(ingest.status).toBe(202);
    expect(ingest.json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });

    const [summary] = await hookyard.settledDeliveries(webhook.id, 1);
    expect(summary).toMatchObject({ status: "succeeded", attempts: 3, lastStatusCode: 200, eventType: "TAG_PUSH" });

    const detail = await hookyard.request("GET", `/api/v1/deliveries/${summary?.id}`);
    expect(detail.status).toBe(200);
    expect(detail.json.attempts.map((a: { n: number; statusCode: number }) => [a.n, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(detail.json.attempts[0].responseBody).toBe("not yet");
    expect(detail.json.attempts[2].responseBody).toBe("thanks");

    // Every retry is the same delivery to the receiver: same webhook-id, same body.
    expect(receiver.requests).toHaveLength(3);
    const ids = new Set(receiver.requests.map((r) => r.headers["webhook-id"]));
    expect([...ids]).toEqual([summary?.id]);
    expect(receiver.requests[2]?.headers["x-hookyard-event"]).toBe("TAG_PUSH");
    expect(receiver.requests[2]?.json).toMatchObject({
      type: "TAG_PUSH",
      contents: { namespace: "acme", repository: "web", tag: "1.0", imageName: "acme/web:1.0", author: "alice" },
      location: "/repositories/acme/web/tags/1.0",
    });
  });

  it("retries a 404 like a 5xx, and ends a delivery at once on 413 without disabling the webhook", async () => {
    let missing = 0;
    receiver = await startReceiver((req) => {
      if (req.path === "/big") return { status: 413 };
      return ++missing <= 2 ? { status: 404 } : { status: 200 };
    });
    hookyard = await TestHookyard.start();
    const big = await hookyard.createWebhook({
      name: "big",
      url: `${receiver.url}/big`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const deploying = await hookyard.createWebhook({
      name: "deploying",
      url: `${receiver.url}/deploying`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "9" }));
    const [tooLarge] = await hookyard.settledDeliveries(big.id, 1);
    expect(tooLarge).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 413 });
    expect((await hookyard.request("GET", `/api/v1/webhooks/${big.id}`)).json.enabled).toBe(true);
    const [retried] = await hookyard.settledDeliveries(deploying.id, 1);
    expect(retried).toMatchObject({ status: "succeeded", attempts: 3, lastStatusCode: 200 });
  });

  it("marks a delivery failed once the schedule is used up", async () => {
    receiver = await startReceiver(() => ({ status: 503 }));
    hookyard = await TestHookyard.start({ env: { HOOKYARD_RETRY_SCHEDULE: "50ms,50ms" } });
    const webhook = await hookyard.createWebhook({
      name: "down",
      url: receiver.url,
      events: ["MANIFEST_PUSH"],
      repository: "acme/web",
    });

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web" }));

    const [summary] = await hookyard.settledDeliveries(webhook.id, 1);
    expect(summary).toMatchObject({ status: "failed", attempts: 3, lastStatusCode: 503 });
    expect(receiver.requests).toHaveLength(3);
  });

  it("delivers only to webhooks of the pushed repository and the subscribed types", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const tagHook = await hookyard.createWebhook({
      name: "tags",
      url: `${receiver.url}/tags`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const otherRepo = await hookyard.createWebhook({
      name: "other",
      url: `${receiver.url}/other`,
      events: ["TAG_PUSH"],
      repository: "acme/api",
    });
    const namespaceHook = await hookyard.createWebhook({
      name: "ns",
      url: `${receiver.url}/ns`,
      events: ["MANIFEST_PUSH"],
      namespace: "acme",
    });
    const deletes = await hookyard.createWebhook({
      name: "deletes",
      url: `${receiver.url}/del`,
      events: ["TAG_DELETE"],
      repository: "acme/web",
    });

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "2.0" }));
    await hookyard.settledDeliveries(tagHook.id, 1);
    await hookyard.settledDeliveries(namespaceHook.id, 1);

    const paths = receiver.requests.map((r) => `${r.path} ${r.headers["x-hookyard-event"]}`).sort();
    expect(paths).toEqual(["/ns MANIFEST_PUSH", "/tags TAG_PUSH"]);
    for (const silent of [otherRepo, deletes]) {
      const res = await hookyard.request("GET", `/api/v1/webhooks/${silent.id}/deliveries`);
      expect(res.json.items).toEqual([]);
    }
  });

  it("signs deliveries of a webhook with a secret (Standard Webhooks)", async () => {
    const { verifySignature } = await import("@hookyard/core");
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    await hookyard.createWebhook({
      name: "signed",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      secret,
    });

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "3.0" }));
    const [req] = await receiver.waitForRequests(1);
    const h = req?.headers ?? {};
    expect(
      verifySignature(
        secret,
        String(h["webhook-id"]),
        Number(h["webhook-timestamp"]),
        req?.body ?? "",
        String(h["webhook-signature"]),
      ),
    ).toBe(true);
  });

  it("disables a webhook whose receiver answers 410 Gone, and keeps each webhook's last success time", async () => {
    receiver = await startReceiver((req) => (req.path === "/gone" ? { status: 410 } : { status: 200 }));
    hookyard = await TestHookyard.start();
    const gone = await hookyard.createWebhook({
      name: "gone",
      url: `${receiver.url}/gone`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const fine = await hookyard.createWebhook({
      name: "fine",
      url: `${receiver.url}/fine`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const before = Date.now();
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "4.0" }));

    const [goneDelivery] = await hookyard.settledDeliveries(gone.id, 1);
    expect(goneDelivery).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: 410 });
    const goneHook = (await hookyard.request("GET", `/api/v1/webhooks/${gone.id}`)).json;
    expect(goneHook.enabled).toBe(false);
    expect(goneHook.disabledReason).toMatch(/^the receiver answered 410 Gone at /);
    // Written at most once a second per webhook, off the hot path.
    const fineHook = await waitFor(async () => {
      const hook = (await hookyard.request("GET", `/api/v1/webhooks/${fine.id}`)).json;
      return hook.lastSuccessfulAt !== null && hook;
    });
    expect(Date.parse(fineHook.lastSuccessfulAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(goneHook.lastSuccessfulAt).toBe(null);
  });

  it("fails, unsent, a delivery of a webhook whose stored secret is too weak to sign with", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const webhook = await hookyard.createWebhook({
      name: "old",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    // As a webhook made before secrets were checked could still hold.
    await hookyard.db.webhook.update({ where: { id: webhook.id }, data: { secret: "whsec_!!!!!!!!!!!!!!!!" } });
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "5.0" }));

    const [summary] = await hookyard.settledDeliveries(webhook.id, 1);
    expect(summary).toMatchObject({ status: "failed", attempts: 1, lastStatusCode: null });
    const detail = (await hookyard.request("GET", `/api/v1/deliveries/${summary?.id}`)).json;
    expect(detail.attempts[0].error).toMatch(
      /^not sent: the webhook secret must be .*; give the webhook a new secret$/,
    );
    expect(detail.attempts[0].error).not.toContain("!!!!");
    expect(receiver.requests).toHaveLength(0);
  });
});
