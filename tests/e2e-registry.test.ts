import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildOciLayout,
  type Receiver,
  type RegistryHandle,
  skopeoCopy,
  startReceiver,
  startRegistry,
} from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

describe("end to end with a real Distribution registry", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let registry: RegistryHandle;
  let layoutDir: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    registry = await startRegistry({
      notifyUrl: `${hookyard.baseUrl}/api/v1/ingest/distribution`,
      token: INGEST_TOKEN,
    });
    layoutDir = await mkdtemp(join(tmpdir(), "hookyard-oci-"));
  });
  afterAll(async () => {
    await registry?.stop();
    await receiver?.close();
    await hookyard?.close();
    if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
  });

  it("delivers one TAG_PUSH dtr payload for a skopeo push, and the history shows it succeeded", async () => {
    const webhook = await hookyard.createWebhook({
      name: "deploy",
      url: `${receiver.url}/deploy`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const image = await buildOciLayout(layoutDir, { tag: "latest" });

    await skopeoCopy(layoutDir, "latest", `${registry.url}/acme/web:1.0`);

    const [delivered] = await receiver.waitForRequests(1, 20_000);
    expect(delivered?.headers["x-hookyard-event"]).toBe("TAG_PUSH");
    expect(delivered?.json).toMatchObject({
      type: "TAG_PUSH",
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        digest: image.manifestDigest,
        imageName: "acme/web:1.0",
      },
      location: "/repositories/acme/web/tags/1.0",
    });

    const [summary] = await hookyard.settledDeliveries(webhook.id, 1);
    expect(summary).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200, eventType: "TAG_PUSH" });

    // The registry sends its envelopes in order and the manifest comes last, so by now it has sent
    // the blob pushes too: they were ignored, and the manifest made one job per product type.
    expect(await hookyard.queuedEventJobs()).toBe(2);
    const history = await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}/deliveries`);
    expect(history.json.items).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
  });
});
