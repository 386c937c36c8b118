import {
  manifestPush,
  type Receiver,
  type RedisServer,
  startReceiver,
  startRedisServer,
  waitFor,
} from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

describe("Redis going away during ingest", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let redis: RedisServer;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
    await redis?.stop();
  });

  it("answers 503 fast while it is down, and delivers every event it answered 202 for", async () => {
    redis = await startRedisServer();
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ env: { REDIS_URL: redis.url } });
    const webhook = await hookyard.createWebhook({
      name: "w",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    const acknowledged: string[] = [];
    const refusedAfterMs: number[] = [];
    let n = 0;
    const send = async () => {
      const tag = `v${n++}`;
      const started = performance.now();
      const res = await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag }));
      if (res.status === 202) acknowledged.push(tag);
      else {
        expect(res.status).toBe(503);
        expect(res.json.error.code).toBe("unavailable");
        refusedAfterMs.push(performance.now() - started);
      }
    };
    // Five publishers at once, before, during and after the outage.
    const burst = () => Promise.all(Array.from({ length: 5 }, send));
    for (let i = 0; i < 4; i += 1) await burst();
    const inFlight = burst();
    await redis.kill();
    await inFlight;
    for (let i = 0; i < 4; i += 1) await burst();
    await redis.restart();
    await waitFor(
      async () => {
        await burst();
        return refusedAfterMs.length > 0 && (await hookyard.request("GET", "/readyz", { token: null })).status === 200;
      },
      { timeoutMs: 20_000, what: "ingest working again" },
    );
    for (let i = 0; i < 2; i += 1) await burst();

    expect(refusedAfterMs.length).toBeGreaterThanOrEqual(20);
    expect(Math.max(...refusedAfterMs)).toBeLessThan(1_000);
    await hookyard.settledDeliveries(webhook.id, acknowledged.length, 30_000);
    const delivered = new Set(receiver.requests.map((r) => (r.json as { contents: { tag: string } }).contents.tag));
    for (const tag of acknowledged) expect(delivered.has(tag), `event ${tag} was answered 202`).toBe(true);
  });
});
