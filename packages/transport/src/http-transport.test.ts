import { type Receiver, startReceiver } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpTransport, type Transport } from "./http-transport.js";

// The SSRF guard where it matters: on the connection itself, whatever was checked at creation.
describe("createHttpTransport", () => {
  let receiver: Receiver;
  let guarded: Transport;
  let open: Transport;
  beforeAll(async () => {
    receiver = await startReceiver(() => ({ status: 200, body: "ok" }));
    guarded = createHttpTransport({ allowPrivateTargets: false });
    open = createHttpTransport({ allowPrivateTargets: true });
  });
  afterAll(async () => {
    await Promise.all([guarded.close(), open.close()]);
    await receiver.close();
  });

  const post = (transport: Transport, url: string) =>
    transport.send({ url, headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 2_000 });

  it("refuses private addresses when it connects, however they are spelled, and sends nothing", async () => {
    const port = new URL(receiver.url).port;
    for (const host of ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "0x7f000001", "127.1"]) {
      const result = await post(guarded, `http://${host}:${port}/hook`);
      expect(result.ok, host).toBe(false);
      expect(!result.ok && result.error, host).toMatch(/^blocked: /);
    }
    expect(receiver.requests).toHaveLength(0);
  });

  it("reaches loopback receivers when private targets are allowed", async () => {
    const result = await post(open, `${receiver.url}/hook`);
    expect(result).toMatchObject({ ok: true, statusCode: 200, body: "ok" });
    expect(receiver.requests).toHaveLength(1);
  });
});
