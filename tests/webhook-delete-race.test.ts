import { type Receiver, startReceiver } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/*
 * A deleted webhook stays deleted. DELETE and, 0-10 ms later, PATCH {"enabled": true} once left 63
 * of 150 webhooks deleted and enabled in Postgres: they received the next push while every API call
 * about them answered 404, so nobody could stop them.
 */
describe("a webhook deleted while it is changed", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await hookyard?.close();
    await receiver?.close();
  });

  it("stays deleted whichever request wins, and receives nothing after", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const webhooks = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        hookyard.createWebhook({
          name: `w${i}`,
          url: `${receiver.url}/${i}`,
          events: ["TAG_PUSH"],
          repository: "acme/web",
          enabled: i % 2 === 0,
        }),
      ),
    );
    const answers = await Promise.all(
      webhooks.map(async ({ id }, i) => {
        const deleted = hookyard.request("DELETE", `/api/v1/webhooks/${id}`);
        await new Promise((resolve) => setTimeout(resolve, i % 11));
        const patched = hookyard.request("PATCH", `/api/v1/webhooks/${id}`, {
          body: i % 3 === 0 ? { enabled: true } : { enabled: true, name: `renamed-${i}` },
        });
        return [(await deleted).status, (await patched).status];
      }),
    );
    for (const [deleted, patched] of answers) {
      expect(deleted).toBe(204);
      expect([200, 404]).toContain(patched);
    }

    const revived = await hookyard.db.webhook.count({ where: { deletedAt: { not: null }, enabled: true } });
    expect(revived).toBe(0);
    for (const { id } of webhooks) {
      expect((await hookyard.request("GET", `/api/v1/webhooks/${id}`)).status).toBe(404);
    }
    await hookyard.request("POST", "/api/v1/events", {
      token: INGEST_TOKEN,
      body: { type: "TAG_PUSH", repository: "acme/web", tag: "after" },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.requests).toHaveLength(0);
    expect(await hookyard.db.delivery.count()).toBe(0);
  });
});
