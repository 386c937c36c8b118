import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildOciLayout,
  type Receiver,
  type RegistryHandle,
  skopeoCopy,
  skopeoDelete,
  skopeoInspect,
  startReceiver,
  startRegistry,
  waitFor,
} from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/** Forwards to Hookyard, but answers the first `failures` manifest envelopes 500 after Hookyard took
 * them: what a registry sees when an answer is lost, so it sends the same envelope again. */
async function flakyProxy(target: string, failures: number) {
  let failed = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        answer.resume();
        answer.on("end", () => {
          if (body.includes("manifest.v1+json") && failed < failures) {
            failed += 1;
            res.writeHead(500).end("lost");
          } else res.writeHead(answer.statusCode ?? 502).end();
        });
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, failed: () => failed, server };
}

describe("real registry: push, pull and delete", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let registry: RegistryHandle;
  let dir: string;
  let proxy: Server | undefined;
  afterEach(async () => {
    await registry?.stop();
    proxy?.close();
    await receiver?.close();
    await hookyard?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("each action reaches exactly the webhooks subscribed to its types", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    registry = await startRegistry({
      notifyUrl: `${hookyard.baseUrl}/api/v1/ingest/distribution`,
      token: INGEST_TOKEN,
    });
    dir = await mkdtemp(join(tmpdir(), "hookyard-oci-"));
    const types = ["TAG_PUSH", "MANIFEST_PUSH", "TAG_PULL", "MANIFEST_PULL", "TAG_DELETE", "MANIFEST_DELETE"];
    for (const type of types) {
      await hookyard.createWebhook({
        name: type,
        url: `${receiver.url}/${type}`,
        events: [type],
        repository: "acme/web",
      });
    }
    await hookyard.createWebhook({
      name: "elsewhere",
      url: `${receiver.url}/other`,
      events: ["*"],
      repository: "acme/api",
    });
    const image = await buildOciLayout(dir, { tag: "latest" });
    const ref = `${registry.url}/acme/web`;

    await skopeoCopy(dir, "latest", `${ref}:1.0`);
    await receiver.waitForRequests(2, 20_000);
    await skopeoInspect(`${ref}:1.0`);
    await waitFor(() => receiver.requests.some((r) => r.path === "/TAG_PULL"), { timeoutMs: 20_000, what: "TAG_PULL" });
    await skopeoDelete(`${ref}@${image.manifestDigest}`);
    await waitFor(() => receiver.requests.some((r) => r.path === "/TAG_DELETE"), {
      timeoutMs: 20_000,
      what: "TAG_DELETE",
    });
    await new Promise((r) => setTimeout(r, 500));

    const seen = receiver.requests.map((r) => r.path.slice(1));
    // skopeo delete fetches the manifest by digest first: one more MANIFEST_PULL, no tag.
    expect(seen.sort()).toEqual([
      "MANIFEST_DELETE",
      "MANIFEST_PULL",
      "MANIFEST_PULL",
      "MANIFEST_PUSH",
      "TAG_DELETE",
      "TAG_PULL",
      "TAG_PUSH",
    ]);
    for (const req of receiver.requests) {
      expect(req.headers["x-hookyard-event"]).toBe(req.path.slice(1));
      expect(req.json).toMatchObject({ contents: { namespace: "acme", repository: "web" } });
    }
    const deleted = receiver.requests.find((r) => r.path === "/MANIFEST_DELETE")?.json;
    expect(deleted).toMatchObject({ type: "MANIFEST_DELETE", contents: { digest: image.manifestDigest } });
    const tagDeleted = receiver.requests.find((r) => r.path === "/TAG_DELETE")?.json;
    expect(tagDeleted).toMatchObject({ contents: { tag: "1.0" } });
  });

  it("a registry that re-sends an envelope after a lost answer causes one delivery", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const flaky = await flakyProxy(hookyard.baseUrl, 2);
    proxy = flaky.server;
    registry = await startRegistry({ notifyUrl: `${flaky.url}/api/v1/ingest/distribution`, token: INGEST_TOKEN });
    dir = await mkdtemp(join(tmpdir(), "hookyard-oci-"));
    const webhook = await hookyard.createWebhook({
      name: "w",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await buildOciLayout(dir, { tag: "latest" });

    await skopeoCopy(dir, "latest", `${registry.url}/acme/web:2.0`);
    await hookyard.settledDeliveries(webhook.id, 1, 30_000);
    // Hookyard took the manifest envelope three times: twice the registry saw a 500 and re-sent it.
    expect(flaky.failed()).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.json).toMatchObject({ type: "TAG_PUSH", contents: { tag: "2.0" } });
  });
});
