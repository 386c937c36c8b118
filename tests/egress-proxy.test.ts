import {
  freePort,
  makeCertificate,
  manifestPush,
  type Receiver,
  startReceiver,
  startTinyproxy,
  type Tinyproxy,
} from "@hookyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/*
 * Hookyard behind a real HTTP proxy (Debian's tinyproxy, asking for credentials), as in a network
 * whose only way out is that proxy. Every receiver a test can run is on loopback, so deliveries
 * that must arrive run with HOOKYARD_ALLOW_PRIVATE_TARGETS=true; the guard is proved the other
 * way round: webhooks saved while private targets were allowed, then the processes restarted with
 * the guard on, as a name re-pointed after the webhook was saved would be.
 */

const USER = "hookyard";
const PASSWORD = "proxy-pass-4f9c2";

describe("deliveries through an egress proxy (tinyproxy)", () => {
  let certificate: { key: string; cert: string };
  let plain: Receiver;
  let secure: Receiver;
  let bypassed: Receiver;
  let proxy: Tinyproxy;
  let hookyard: TestHookyard | undefined;
  const port = (receiver: Receiver) => Number(new URL(receiver.url).port);
  const proxyEnv = () => ({
    HOOKYARD_HTTP_PROXY: `http://${USER}:${PASSWORD}@${proxy.url.slice("http://".length)}`,
  });

  beforeAll(async () => {
    certificate = await makeCertificate();
    plain = await startReceiver(() => ({ status: 200, body: "plain" }));
    secure = await startReceiver(() => ({ status: 200, body: "secure" }), { tls: certificate });
    bypassed = await startReceiver(() => ({ status: 200, body: "bypassed" }));
    proxy = await startTinyproxy({
      connectPorts: [port(plain), port(secure), port(bypassed)],
      basicAuth: { user: USER, password: PASSWORD },
    });
  });
  afterEach(async () => {
    await hookyard?.close();
    hookyard = undefined;
  });
  afterAll(async () => {
    await Promise.all([plain.close(), secure.close(), bypassed.close(), proxy.stop()]);
  });

  /** The attempts' errors of a webhook's one delivery, once it has failed for good. */
  const failedAttemptErrors = async (running: TestHookyard, webhookId: string): Promise<string[]> => {
    const [delivery] = await running.settledDeliveries(webhookId, 1);
    expect(delivery).toMatchObject({ status: "failed" });
    const detail = await running.request("GET", `/api/v1/deliveries/${delivery?.id}`);
    return detail.json.attempts.map((a: { error: string }) => a.error);
  };

  it("delivers to HTTP and HTTPS receivers through the proxy, test sends too, and what HOOKYARD_NO_PROXY names straight", async () => {
    hookyard = await TestHookyard.start({ env: { ...proxyEnv(), HOOKYARD_NO_PROXY: "localhost", LOG_LEVEL: "info" } });
    const subscribe = (name: string, url: string, extra: object = {}) =>
      (hookyard as TestHookyard).createWebhook({ name, url, events: ["TAG_PUSH"], repository: "acme/web", ...extra });
    const viaHttp = await subscribe("http", `${plain.url}/hook`);
    const viaHttps = await subscribe("https", `${secure.url}/hook`, { tlsCert: certificate.cert });
    const direct = await subscribe("direct", `http://localhost:${port(bypassed)}/hook`);

    expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "1.0" }))).status).toBe(202);
    for (const webhook of [viaHttp, viaHttps, direct]) {
      const [delivery] = await hookyard.settledDeliveries(webhook.id, 1);
      expect(delivery, webhook.id).toMatchObject({ status: "succeeded", lastStatusCode: 200 });
    }
    expect(plain.requests).toHaveLength(1);
    expect(secure.requests).toHaveLength(1);
    expect(bypassed.requests).toHaveLength(1);

    const tunnelled = await proxy.connects();
    expect(tunnelled).toContain(`127.0.0.1:${port(plain)}`);
    expect(tunnelled).toContain(`127.0.0.1:${port(secure)}`);
    expect(tunnelled.filter((target) => target.endsWith(`:${port(bypassed)}`))).toEqual([]);

    // A test send is made by the API, through the same proxy.
    const before = tunnelled.length;
    const sent = await hookyard.request("POST", `/api/v1/webhooks/${viaHttps.id}/test`);
    expect(sent.json.attempt).toMatchObject({ statusCode: 200, error: null, responseBody: "secure" });
    expect((await proxy.connects()).slice(before)).toEqual([`127.0.0.1:${port(secure)}`]);

    expect(hookyard.logLines.find((line) => line.message === "worker started")).toMatchObject({
      egressProxy: proxy.url,
    });
    expect(JSON.stringify(hookyard.logLines)).not.toContain(PASSWORD);
  });

  it("with the guard on, refuses a private address or a name resolving to one, and the proxy never hears of it", async () => {
    hookyard = await TestHookyard.start({ env: proxyEnv() });
    const literal = await hookyard.createWebhook({
      name: "literal",
      url: `http://127.0.0.1:${port(plain)}/guarded`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const named = await hookyard.createWebhook({
      name: "named",
      url: `http://localhost:${port(plain)}/guarded`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await hookyard.restartWith({ HOOKYARD_ALLOW_PRIVATE_TARGETS: "false" });
    const before = await proxy.connects();

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "2.0" }));
    const expected: Array<[{ id: string }, string]> = [
      [literal, "blocked: 127.0.0.1 is a private address"],
      [named, "blocked: localhost resolves only to private addresses"],
    ];
    for (const [webhook, error] of expected) {
      const errors = await failedAttemptErrors(hookyard, webhook.id);
      expect(errors.length, webhook.id).toBeGreaterThan(1);
      expect(new Set(errors), webhook.id).toEqual(new Set([error]));
    }
    const sent = await hookyard.request("POST", `/api/v1/webhooks/${named.id}/test`);
    expect(sent.json.attempt.error).toBe("blocked: localhost resolves only to private addresses");

    expect(plain.requests.filter((r) => r.path === "/guarded")).toEqual([]);
    expect(await proxy.connects()).toEqual(before);
  });

  it("fails the attempt naming the proxy when the proxy is down", async () => {
    hookyard = await TestHookyard.start({ env: { HOOKYARD_HTTP_PROXY: `http://127.0.0.1:${await freePort()}` } });
    const webhook = await hookyard.createWebhook({
      name: "behind a dead proxy",
      url: `${plain.url}/never`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "3.0" }));
    const errors = await failedAttemptErrors(hookyard, webhook.id);
    expect(errors.length).toBeGreaterThan(1);
    for (const error of errors) {
      expect(error).toBe("proxy: refused (ECONNREFUSED): on the way to the egress proxy (HOOKYARD_HTTP_PROXY)");
    }
    expect(plain.requests.filter((r) => r.path === "/never")).toEqual([]);
  });
});
