import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOciLayout, OCI_MANIFEST_MEDIA_TYPE } from "./oci-layout.js";
import { type RegistryHandle, startRegistry } from "./registry.js";
import { skopeoCopy, skopeoDelete, skopeoInspect } from "./skopeo.js";

const EVENTS_MEDIA_TYPE = "application/vnd.docker.distribution.events.v1+json";
const TOKEN = "testkit-token";

interface Received {
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

interface RegistryEvent {
  action: string;
  target: { mediaType?: string; digest?: string; repository?: string; tag?: string };
}

/** A stand-in for the Hookyard ingest endpoint: remembers every POST and accepts it. */
function startReceiver(received: Received[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method === "POST") {
        received.push({
          contentType: req.headers["content-type"],
          authorization: req.headers.authorization,
          body: Buffer.concat(chunks).toString(),
        });
      }
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function closeServer(server: Server): Promise<void> {
  // Idle keep-alive connections would otherwise hold close() open until they time out.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function eventsOf(received: Received[]): RegistryEvent[] {
  return received.flatMap((r) => (JSON.parse(r.body) as { events: RegistryEvent[] }).events);
}

/** Delivery is asynchronous, so poll instead of guessing a sleep. */
async function waitFor(check: () => boolean, timeoutMs: number, describeState: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for registry events; got:\n${describeState()}`);
    await sleep(50);
  }
}

describe("real registry harness", () => {
  const received: Received[] = [];
  let receiver: Server | undefined;
  let registry: RegistryHandle | undefined;
  let layoutDir: string | undefined;

  beforeAll(async () => {
    receiver = await startReceiver(received);
    const { port } = receiver.address() as AddressInfo;
    registry = await startRegistry({ notifyUrl: `http://127.0.0.1:${port}/ingest`, token: TOKEN });
    layoutDir = await mkdtemp(join(tmpdir(), "hookyard-layout-"));
  }, 20_000); // startRegistry may poll for up to 15 s on a loaded machine

  afterAll(async () => {
    await registry?.stop();
    if (receiver) await closeServer(receiver);
    if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
  });

  it("publishes push, pull and delete notifications for a pushed image", async () => {
    if (!registry || !layoutDir) throw new Error("setup failed");
    const digests = await buildOciLayout(layoutDir, { tag: "latest", seed: "registry.test" });

    await skopeoCopy(layoutDir, "latest", `${registry.url}/acme/web:1.0`);
    const inspected = (await skopeoInspect(`${registry.url}/acme/web:1.0`)) as { Digest: string };
    expect(inspected.Digest).toBe(digests.manifestDigest);
    await skopeoDelete(`${registry.url}/acme/web@${digests.manifestDigest}`);

    const isManifest = (e: RegistryEvent) =>
      e.target.mediaType === OCI_MANIFEST_MEDIA_TYPE && e.target.digest === digests.manifestDigest;
    const seen = (action: string, extra: (e: RegistryEvent) => boolean) => () =>
      eventsOf(received).some((e) => e.action === action && extra(e));
    const pushed = seen("push", (e) => isManifest(e) && e.target.tag === "1.0" && e.target.repository === "acme/web");
    const pulled = seen("pull", isManifest);
    const deleted = seen(
      "delete",
      (e) => e.target.digest === digests.manifestDigest && e.target.repository === "acme/web",
    );

    await waitFor(
      () => pushed() && pulled() && deleted(),
      10_000,
      () => JSON.stringify(eventsOf(received), null, 2),
    );

    for (const r of received) {
      expect(r.contentType).toBe(EVENTS_MEDIA_TYPE);
      expect(r.authorization).toBe(`Bearer ${TOKEN}`);
    }
  }, 30_000);
});
