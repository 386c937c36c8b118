import { manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

describe("redeliver, recover, and disabling webhooks that keep failing", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let healthy = false;
  let tag = 0;
  beforeAll(async () => {
    receiver = await startReceiver(() => ({ status: healthy ? 200 : 500 }));
    hookyard = await TestHookyard.start({
      env: {
        HOOKYARD_RETRY_SCHEDULE: "50ms",
        HOOKYARD_AUTO_DISABLE_FAILURES: "3",
        HOOKYARD_AUTO_DISABLE_AFTER: "1s",
        HOOKYARD_RECONCILE_INTERVAL: "500ms",
      },
    });
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  const webhook = (name: string) =>
    hookyard.createWebhook({ name, url: `${receiver.url}/${name}`, events: ["TAG_PUSH"], repository: `acme/${name}` });
  const push = (name: string) =>
    hookyard.ingestDistribution(manifestPush({ repository: `acme/${name}`, tag: `v${++tag}` }));
  const webhookRow = (id: string) => hookyard.request("GET", `/api/v1/webhooks/${id}`).then((r) => r.json);

  it("redelivers a failed delivery as a new series of attempts on the same delivery, same webhook-id", async () => {
    healthy = false;
    const hook = await webhook("redeliver");
    await push("redeliver");
    const [failed] = await hookyard.settledDeliveries(hook.id, 1);
    expect(failed).toMatchObject({ status: "failed", attempts: 2 });

    healthy = true;
    const res = await hookyard.request("POST", `/api/v1/deliveries/${failed?.id}/redeliver`);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ id: failed?.id, status: "pending" });
    const [done] = await hookyard.settledDeliveries(hook.id, 1);
    expect(done).toMatchObject({ id: failed?.id, status: "succeeded", attempts: 3, lastStatusCode: 200 });
    const detail = await hookyard.request("GET", `/api/v1/deliveries/${failed?.id}`);
    expect(detail.json.attempts.map((a: { n: number; statusCode: number }) => [a.n, a.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const sent = receiver.requests.filter((r) => r.path === "/redeliver");
    expect(new Set(sent.map((r) => r.headers["webhook-id"]))).toEqual(new Set([failed?.id]));

    // A succeeded delivery may be sent again too.
    expect((await hookyard.request("POST", `/api/v1/deliveries/${failed?.id}/redeliver`)).status).toBe(202);
    await waitFor(() => receiver.requests.filter((r) => r.path === "/redeliver").length === 4);
  });

  it("refuses to redeliver what is unknown, foreign, a test or still pending", async () => {
    healthy = true;
    const hook = await webhook("refused");
    const test = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`);
    const cases: Array<[string, string | null, number]> = [
      ["an unknown delivery", "dlv_01jz0000000000000000000000", 404],
      ["not an id", "nope", 404],
      ["a test", test.json.deliveryId, 409],
    ];
    for (const [what, id, status] of cases) {
      const res = await hookyard.request("POST", `/api/v1/deliveries/${id}/redeliver`);
      expect(res.status, what).toBe(status);
    }
    const nobody = await hookyard.request("POST", "/api/v1/users", { body: { name: "nobody" } });
    const foreign = await hookyard.request("POST", `/api/v1/deliveries/${test.json.deliveryId}/redeliver`, {
      token: nobody.json.token,
    });
    expect(foreign.status).toBe(404);
  });

  it("disables a webhook whose deliveries keep failing, records what it missed, and recovers all of it once enabled", async () => {
    healthy = false;
    const hook = await webhook("failing");
    for (let i = 0; i < 3; i++) await push("failing");
    await hookyard.settledDeliveries(hook.id, 3);
    // The reconciler's pass disables it once the first failure is a second old.
    const disabled = await waitFor(async () => {
      const row = await webhookRow(hook.id);
      return row.enabled === false && row;
    });
    expect(disabled.disabledReason).toMatch(/^disabled after 3 failed deliveries in a row since \d{4}-/);

    // While disabled, events are still recorded, and it gets no delivery of them.
    const missedFrom = new Date(Date.now() - 60_000).toISOString();
    await push("failing");
    await push("failing");
    await waitFor(async () => (await hookyard.db.event.count({ where: { repository: "acme/failing" } })) >= 10);
    expect((await hookyard.request("GET", `/api/v1/webhooks/${hook.id}/deliveries`)).json.items).toHaveLength(3);

    const whileDisabled = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/recover`, {
      body: { since: missedFrom },
    });
    expect(whileDisabled.status).toBe(409);

    healthy = true;
    expect(
      (await hookyard.request("PATCH", `/api/v1/webhooks/${hook.id}`, { body: { enabled: true } })).json.enabled,
    ).toBe(true);
    const recovered = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/recover`, {
      body: { since: missedFrom },
    });
    expect(recovered.status).toBe(202);
    expect(recovered.json).toEqual({ count: 5, redelivered: 3, missed: 2 });
    const settled = await hookyard.settledDeliveries(hook.id, 5);
    expect(settled.map((d) => d.status)).toEqual(Array(5).fill("succeeded"));
    // Enabled again, with its old failures behind it: the next pass leaves it enabled.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await webhookRow(hook.id)).enabled).toBe(true);
  });

  it("refuses a bad window for recover, naming the field", async () => {
    const hook = await webhook("window");
    const future = new Date(Date.now() + 3_600_000).toISOString();
    for (const [body, message] of [
      [{ since: future }, /^since: is in the future/],
      [{ since: "yesterday" }, /^since: must be an RFC 3339 time/],
      [{}, /^since: /],
      [{ since: "2026-11-29T10:00:00Z", until: "2026-11-29T09:00:00Z" }, /^until: must be after since/],
      [{ since: "2026-11-29T10:00:00Z", extra: 1 }, /^extra: is not a known field/],
    ] as const) {
      const res = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/recover`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
  });
});
