import { manifestPush, type Receiver, startReceiver } from "@hookyard/testkit";
import { type CloudEvent, HTTP } from "cloudevents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

describe("the cloudevents format on the wire", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  beforeAll(async () => {
    // The first try of each delivery fails, so every delivery is seen twice.
    const tries = new Map<string, number>();
    receiver = await startReceiver((req) => {
      const id = String(req.headers["webhook-id"]);
      tries.set(id, (tries.get(id) ?? 0) + 1);
      return { status: tries.get(id) === 1 ? 503 : 200 };
    });
    hookyard = await TestHookyard.start();
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  it("delivers structured CloudEvents 1.0 that the SDK reads as valid, with the same id on every retry", async () => {
    const hook = await hookyard.createWebhook({
      name: "ce",
      url: `${receiver.url}/ce`,
      events: ["TAG_PUSH", "MANIFEST_PUSH"],
      repository: "acme/web",
      format: "cloudevents",
    });
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "3.1", actor: "alice" }));
    await hookyard.settledDeliveries(hook.id, 2);

    expect(receiver.requests).toHaveLength(4);
    const events = receiver.requests.map((req) => {
      expect(req.headers["content-type"]).toMatch(/^application\/cloudevents\+json/);
      const parsed = HTTP.toEvent({ headers: req.headers, body: req.body });
      const event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown>;
      expect(event.validate()).toBe(true);
      return event;
    });
    const byType = new Map<string, Set<string>>();
    for (const event of events) {
      if (!event) continue;
      byType.set(event.type, (byType.get(event.type) ?? new Set()).add(event.id));
    }
    // Two tries of each of two events: each type seen with one id.
    expect([...byType.keys()].sort()).toEqual(["io.hookyard.manifest.pushed", "io.hookyard.tag.pushed"]);
    for (const ids of byType.values()) expect(ids.size).toBe(1);
    const tag = events.find((e) => e?.type === "io.hookyard.tag.pushed");
    expect(tag).toMatchObject({
      source: "/repositories/acme/web",
      subject: "acme/web:3.1",
      data: { namespace: "acme", repository: "web", tag: "3.1", author: "alice" },
    });
  });
});
