import { makeCertificate, type Receiver, startRawReceiver, startReceiver } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpTransport, type ReceiverTls, type Transport } from "./http-transport.js";

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

describe("createHttpTransport over HTTPS", () => {
  let certificate: { key: string; cert: string };
  let receiver: Receiver;
  let transport: Transport;
  beforeAll(async () => {
    certificate = await makeCertificate();
    receiver = await startReceiver(() => ({ status: 204 }), { tls: certificate });
    transport = createHttpTransport({ allowPrivateTargets: true });
  });
  afterAll(async () => {
    await transport.close();
    await receiver.close();
  });

  const post = (tls?: ReceiverTls) =>
    transport.send({ url: `${receiver.url}/hook`, headers: {}, body: "{}", timeoutMs: 2_000, ...(tls ? { tls } : {}) });

  it("refuses a receiver whose certificate no trusted CA signed, and sends nothing", async () => {
    const result = await post();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^tls: .*(SELF_SIGNED|self.signed)/i);
    expect(receiver.requests).toHaveLength(0);
  });

  it("trusts the webhook's own CA certificate, or skips verification when told to", async () => {
    expect(await post({ caCertificates: certificate.cert, skipVerification: false })).toMatchObject({
      ok: true,
      statusCode: 204,
    });
    expect(await post({ caCertificates: null, skipVerification: true })).toMatchObject({ ok: true, statusCode: 204 });
    expect(receiver.requests).toHaveLength(2);
  });

  it("does not let one webhook's CA vouch for another receiver", async () => {
    const other = await makeCertificate("someone-else");
    const result = await post({ caCertificates: other.cert, skipVerification: false });
    expect(result.ok).toBe(false);
    // The pool of the first CA is still there and still works: pools are per CA.
    expect(await post({ caCertificates: certificate.cert, skipVerification: false })).toMatchObject({ ok: true });
  });
});

describe("an attempt's error says what kind of failure it was", () => {
  const transport = createHttpTransport({ allowPrivateTargets: true });
  afterAll(() => transport.close());
  const post = (url: string, timeoutMs = 2_000) => transport.send({ url, headers: {}, body: "{}", timeoutMs });
  const errorOf = async (url: string, timeoutMs?: number) => {
    const result = await post(url, timeoutMs);
    if (result.ok) throw new Error(`${url} answered ${result.statusCode}`);
    return result.error;
  };

  it("refused, dns, reset and timeout", async () => {
    const closed = await startReceiver();
    const closedUrl = closed.url;
    await closed.close();
    expect(await errorOf(closedUrl)).toMatch(/^refused: ECONNREFUSED/);

    // .invalid never resolves (RFC 6761).
    expect(await errorOf("http://hooks.invalid/x")).toMatch(/^dns: ENOTFOUND/);

    const hangsUp = await startRawReceiver(() => "");
    expect(await errorOf(hangsUp.url)).toMatch(/^reset: /);
    await hangsUp.close();

    const slow = await startReceiver(() => ({ status: 200, hang: true }));
    expect(await errorOf(slow.url, 300)).toBe("timeout: no complete answer within 300 ms");
    await slow.close();
  });
});
