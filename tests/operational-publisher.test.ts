import { createLogger } from "@hookyard/logger";
import { type Receiver, startReceiver } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { startOperationalPublisher } from "../apps/worker/src/services/operational-publisher.js";
import { TestHookyard } from "./support/hookyard.js";

/*
 * One outbox row is one event, however many workers publish at once. Every worker publishes the
 * outbox; two that read the same rows before either marked them each queued them under an event
 * id of its own, and a subscriber got WEBHOOK_DISABLED twice.
 */
describe("the operational events publisher", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await hookyard?.close();
    await receiver?.close();
  });

  it("turns each outbox row into one event when two workers publish at the same moment", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ worker: false });
    await hookyard.createWebhook({
      name: "watch",
      url: receiver.url,
      events: ["WEBHOOK_DISABLED", "WEBHOOK_ENABLED"],
      namespace: "acme",
    });
    const paused = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hookyard.createWebhook({
          name: `w${i}`,
          url: `${receiver.url}/${i}`,
          events: ["TAG_PUSH"],
          repository: "acme/web",
        }),
      ),
    );
    for (const { id } of paused) {
      expect((await hookyard.request("PATCH", `/api/v1/webhooks/${id}`, { body: { enabled: false } })).status).toBe(
        200,
      );
    }
    expect(await hookyard.db.operationalEvent.count({ where: { publishedAt: null } })).toBe(20);

    const queued = await hookyard.withQueues(async (queues) => {
      const deps = {
        db: hookyard.db,
        queues,
        exhaustionIntervalMs: 3_600_000,
        logger: createLogger({ service: "test", level: "error" }),
      };
      // The first worker's Redis answers slowly (a busy or distant Redis): the second worker's
      // round starts while the first has read the outbox and not yet queued what it read.
      const slowEvents = new Proxy(queues.events, {
        get(target, property) {
          const value = Reflect.get(target, property, target);
          if (property !== "addBulk") return typeof value === "function" ? value.bind(target) : value;
          return async (...args: Parameters<typeof target.addBulk>) => {
            await new Promise((resolve) => setTimeout(resolve, 500));
            return target.addBulk(...args);
          };
        },
      });
      const first = startOperationalPublisher({ ...deps, queues: { ...queues, events: slowEvents } });
      const second = startOperationalPublisher(deps);
      try {
        const firstRound = first.runOnce();
        await new Promise((resolve) => setTimeout(resolve, 150));
        return await Promise.all([firstRound, second.runOnce()]);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });
    expect(queued.reduce((a, b) => a + b, 0)).toBe(20);
    expect(await hookyard.queuedEventJobs()).toBe(20);

    await hookyard.startWorker();
    const bodies = (await receiver.waitForRequests(20)).map((r) => r.json as { contents: { webhook: { id: string } } });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.requests).toHaveLength(20);
    expect(new Set(bodies.map((b) => b.contents.webhook.id))).toEqual(new Set(paused.map((w) => w.id)));
  });
});
