import { type Receiver, startReceiver } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/*
 * A test send (POST /webhooks/:id/test) reaches its webhook and nothing else, however often the
 * workers look for lost work afterwards. The reconciler once took a test event of a repository with
 * a chain for an event whose chain run never started, and pushed the sample (tag latest, a zero
 * digest) to the chain's first step with a live callback_url, and to every other subscriber.
 */
describe("a test event stays a test", () => {
  let hookyard: TestHookyard;
  const receivers: Receiver[] = [];
  afterEach(async () => {
    await hookyard?.close();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  it("reaches only the webhook it was sent to, with a chain on the repository and reconciler passes after", async () => {
    const [ci, deploy, audit] = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
    receivers.push(ci, deploy, audit);
    hookyard = await TestHookyard.start({ env: { HOOKYARD_RECONCILE_INTERVAL: "200ms" } });
    const repository = "acme/web";
    const dockerhub = (name: string, url: string) =>
      hookyard.createWebhook({ name, url, events: ["TAG_PUSH"], repository, format: "dockerhub" });
    const ciHook = await dockerhub("ci", ci.url);
    const deployHook = await dockerhub("deploy", deploy.url);
    const auditHook = await hookyard.createWebhook({ name: "audit", url: audit.url, events: ["TAG_PUSH"], repository });
    const chain = await hookyard.request("POST", "/api/v1/chains", {
      body: { name: "release", repository, events: ["TAG_PUSH"], webhooks: [ciHook.id, deployHook.id] },
    });
    expect(chain.status).toBe(201);

    for (const webhook of [auditHook, ciHook]) {
      const sent = await hookyard.request("POST", `/api/v1/webhooks/${webhook.id}/test`);
      expect(sent.status).toBe(200);
    }
    // Many reconciler passes later (each looks at work older than one interval).
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    expect(audit.requests).toHaveLength(1);
    expect(ci.requests).toHaveLength(1);
    expect(deploy.requests).toHaveLength(0);
    const runs = await hookyard.request("GET", `/api/v1/chains/${chain.json.id}/runs`);
    expect(runs.json.items).toEqual([]);
    expect(await hookyard.db.delivery.count({ where: { test: false } })).toBe(0);
  });
});
