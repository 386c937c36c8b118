import { type Receiver, type RedisServer, startReceiver, startRedisServer } from "@hookyard/testkit";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/*
 * A 202 means the event is in Postgres (decision 0014): Redis losing its data afterwards (a
 * FLUSHALL, a restart without persistence, a failover to a replica that lagged) loses nothing while
 * Postgres is up. Each test has a Redis of its own, so that it may really flush it.
 */
describe("an accepted event outlives Redis losing its data", () => {
  let redis: RedisServer;
  let receiver: Receiver;
  let hookyard: TestHookyard;
  afterEach(async () => {
    await hookyard?.close();
    await receiver?.close();
    await redis?.stop();
  });

  async function flushRedis(url: string): Promise<void> {
    const client = new Redis(url);
    await client.flushall();
    client.disconnect();
  }

  it("delivers every event answered 202 while the worker was stopped, after a FLUSHALL, once each", async () => {
    redis = await startRedisServer({ persist: false });
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({
      worker: false,
      env: { REDIS_URL: redis.url, HOOKYARD_RECONCILE_INTERVAL: "500ms" },
    });
    for (const name of ["ci", "deploy", "audit"]) {
      await hookyard.createWebhook({ name, url: receiver.url, events: ["TAG_PUSH"], repository: "acme/web" });
    }
    const tags = Array.from({ length: 500 }, (_, i) => `v${i}`);
    for (let from = 0; from < tags.length; from += 50) {
      const res = await hookyard.request("POST", "/api/v1/events", {
        token: INGEST_TOKEN,
        body: {
          events: tags.slice(from, from + 50).map((tag) => ({ type: "TAG_PUSH", repository: "acme/web", tag })),
        },
      });
      expect(res.status).toBe(202);
      expect(res.json.accepted).toBe(50);
    }
    expect(await hookyard.queuedEventJobs()).toBe(500);

    await flushRedis(redis.url);
    expect(await hookyard.queuedEventJobs()).toBe(0);
    await hookyard.startWorker();

    const requests = await receiver.waitForRequests(1_500, 60_000);
    const sent = requests.map((r) => `${r.headers["x-hookyard-delivery"]}`);
    expect(new Set(sent).size).toBe(1_500);
    const perTag = new Map<string, number>();
    for (const r of requests) {
      const tag = (r.json as { contents: { tag: string } }).contents.tag;
      perTag.set(tag, (perTag.get(tag) ?? 0) + 1);
    }
    expect([...perTag.keys()].sort()).toEqual([...tags].sort());
    expect([...perTag.values()].every((n) => n === 3)).toBe(true);
  });

  it("keeps no dedup key in Redis for an event Postgres stored, and still answers a re-sent one as a duplicate", async () => {
    redis = await startRedisServer({ persist: false });
    hookyard = await TestHookyard.start({ worker: false, env: { REDIS_URL: redis.url } });
    const event = { type: "TAG_PUSH", repository: "acme/web", tag: "1.0", id: "registry-event-1" };
    const first = await hookyard.request("POST", "/api/v1/events", { token: INGEST_TOKEN, body: event });
    expect(first.json).toMatchObject({ accepted: 1, duplicates: 0 });

    const client = new Redis(redis.url);
    const dedupKeys = await client.keys(`${hookyard.config.queuePrefix}:*:de:*`);
    client.disconnect();
    expect(dedupKeys).toEqual([]);

    await flushRedis(redis.url);
    const again = await hookyard.request("POST", "/api/v1/events", { token: INGEST_TOKEN, body: event });
    expect(again.json).toMatchObject({ accepted: 0, duplicates: 1 });
    // Its first copy still awaits fan-out, so it is queued again under that copy's id.
    const jobs = await hookyard.eventJobs();
    expect(jobs.map((job) => job.id)).toEqual([
      (await hookyard.db.event.findFirstOrThrow({ where: { repository: "acme/web" } })).id,
    ]);
  });
});
