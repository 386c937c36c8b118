import { type Receiver, startReceiver } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

describe("POST /api/v1/webhooks/:id/test", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let answer = 200;
  beforeAll(async () => {
    receiver = await startReceiver(() => ({
      status: answer,
      body: `answered ${answer}`,
      headers: { "x-receiver": "r1" },
    }));
    // No worker: what the receiver gets comes from the API's own send.
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  const webhook = (extra: object = {}) =>
    hookyard.createWebhook({
      name: "ci",
      url: `${receiver.url}/ci`,
      events: ["TAG_PUSH", "SCAN_COMPLETED"],
      repository: "acme/web",
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      ...extra,
    });

  it("sends a signed sample of the webhook's first type now, answers with the attempt and keeps it in history as a test", async () => {
    answer = 200;
    const hook = await webhook();
    const before = receiver.requests.length;
    const res = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      eventType: "TAG_PUSH",
      test: true,
      attempt: { n: 1, statusCode: 200, error: null, responseBody: "answered 200" },
    });
    expect(res.json.attempt.responseHeaders["x-receiver"]).toBe("r1");

    const sent = receiver.requests[before];
    expect(sent?.path).toBe("/ci");
    expect(sent?.headers["x-hookyard-event"]).toBe("TAG_PUSH");
    expect(sent?.headers["x-hookyard-delivery"]).toBe(res.json.deliveryId);
    expect(sent?.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(sent?.json).toMatchObject({
      type: "TAG_PUSH",
      contents: { namespace: "acme", repository: "web", tag: "latest" },
    });

    const history = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}/deliveries`);
    expect(history.json.items).toMatchObject([
      { id: res.json.deliveryId, test: true, status: "succeeded", attempts: 1 },
    ]);
    const detail = await hookyard.request("GET", `/api/v1/deliveries/${res.json.deliveryId}`);
    expect(detail.json.attempts).toMatchObject([{ n: 1, statusCode: 200, responseBody: "answered 200" }]);
  });

  it("sends the type asked for, and refuses one the webhook does not take, naming type", async () => {
    answer = 200;
    const hook = await webhook();
    const scan = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`, {
      body: { type: "SCAN_COMPLETED" },
    });
    expect(scan.json.eventType).toBe("SCAN_COMPLETED");
    for (const [body, message] of [
      [{ type: "TAG_DELETE" }, /^type: the webhook is not subscribed to TAG_DELETE/],
      [{ type: "NOPE" }, /^type: /],
      [{ type: "TAG_PUSH", extra: 1 }, /^extra: is not a known field/],
    ] as const) {
      const res = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`, { body });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
  });

  it("reports a failing receiver as it is, without retrying and without disabling on 410", async () => {
    answer = 410;
    const hook = await webhook();
    const before = receiver.requests.length;
    const res = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`);
    expect(res.status).toBe(200);
    expect(res.json.attempt).toMatchObject({ statusCode: 410, error: "HTTP 410" });
    expect(receiver.requests.length).toBe(before + 1);
    const after = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}`);
    expect(after.json.enabled).toBe(true);
    const history = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}/deliveries`);
    expect(history.json.items).toMatchObject([{ status: "failed", attempts: 1, lastStatusCode: 410 }]);
  });

  it("answers with the connection error when nothing listens", async () => {
    const closed = await startReceiver();
    const url = `${closed.url}/gone`;
    await closed.close();
    const hook = await webhook({ url });
    const res = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`);
    expect(res.status).toBe(200);
    expect(res.json.attempt).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/^refused: ECONNREFUSED/),
    });
  });

  it("pages the history newest first by cursor, and refuses a cursor it did not hand out", async () => {
    answer = 200;
    const hook = await webhook();
    const sent: string[] = [];
    for (let i = 0; i < 3; i++)
      sent.push((await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`)).json.deliveryId);
    const first = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}/deliveries?limit=2`);
    expect(first.json.items.map((d: { id: string }) => d.id)).toEqual([sent[2], sent[1]]);
    const second = await hookyard.request(
      "GET",
      `/api/v1/webhooks/${hook.id}/deliveries?limit=2&cursor=${first.json.nextCursor}`,
    );
    expect(second.json).toMatchObject({ items: [{ id: sent[0] }], nextCursor: null });
    for (const cursor of ["zz", "a", hook.id]) {
      const res = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}/deliveries?cursor=${cursor}`);
      expect(res.status, cursor).toBe(400);
      expect(res.json.error.message).toMatch(/^cursor: must be the nextCursor of a previous page/);
    }
  });
});
