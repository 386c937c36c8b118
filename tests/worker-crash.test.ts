import { manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

describe("a worker killed mid-delivery", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  it("loses nothing: a new worker takes the jobs over and every event is delivered", async () => {
    // The receiver is slow, so the worker is surely in the middle of requests when it is killed.
    receiver = await startReceiver(() => ({ status: 200, delayMs: 400 }));
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_WORKER_CONCURRENCY: "2" } });
    const webhook = await hookyard.createWebhook({
      name: "ci",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    const events = 8;
    for (let i = 0; i < events; i += 1) {
      const res = await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: `v${i}` }));
      expect(res.status).toBe(202);
    }

    const first = hookyard.spawnWorker();
    await receiver.waitForRequests(1, 20_000);
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    const deliveredBeforeCrash = new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size;
    expect(deliveredBeforeCrash).toBeLessThan(events);

    hookyard.spawnWorker();
    const settled = await hookyard.settledDeliveries(webhook.id, events, 30_000);
    expect(settled.map((d) => d.status)).toEqual(Array(events).fill("succeeded"));

    // At least once: every delivery reached the receiver; a repeat carries the same webhook-id.
    await waitFor(() => new Set(receiver.requests.map((r) => r.headers["webhook-id"])).size === events);
    const tags = new Set(receiver.requests.map((r) => (r.json as { contents: { tag: string } }).contents.tag));
    expect(tags.size).toBe(events);
  });
});
