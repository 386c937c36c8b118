import { startApi } from "@hookyard/api";
import { loadConfig, StartupError } from "@hookyard/config";
import { createLogger } from "@hookyard/logger";
import { type Receiver, type RedisServer, startReceiver, startRedisServer, waitFor } from "@hookyard/testkit";
import { startWorker } from "@hookyard/worker";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { INGEST_TOKEN, TEST_ENCRYPTION_KEYS, TestHookyard } from "./support/hookyard.js";
import { arrivals, createWebhooks, FAULT_TEST_ENV, failedAttempts, sleep } from "./support/steady-load.js";

const WEBHOOKS = 2;
const BATCH = 50;

/*
 * Redis with a small maxmemory and noeviction, as compose.yaml runs it. Publishers send far faster
 * than one worker delivers. Ingest must refuse (503, Retry-After) before Redis is full, so that the
 * workers' own writes always fit, everything accepted drains, and ingest takes events again by
 * itself once it has.
 */
describe("Redis at its memory limit", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let redis: RedisServer;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
    await redis?.stop();
    // The next test starts its own; none may be closed twice.
    receiver = undefined as unknown as Receiver;
    hookyard = undefined as unknown as TestHookyard;
    redis = undefined as unknown as RedisServer;
  });

  it("answers 503 before Redis is full, delivers every accepted event once, and recovers by itself", async () => {
    redis = await startRedisServer({ maxmemory: "12mb", persist: false });
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({
      worker: false,
      env: { ...FAULT_TEST_ENV, REDIS_URL: redis.url, LOG_LEVEL: "info" },
    });
    await createWebhooks(hookyard, receiver, WEBHOOKS);
    const worker = hookyard.spawnWorker({ HOOKYARD_WORKER_CONCURRENCY: "20" });

    const accepted: string[] = [];
    const statuses: Record<string, number> = {};
    const retryAfter = new Set<string>();
    let next = 0;
    const until = Date.now() + 6_000;
    const publisher = async () => {
      while (Date.now() < until) {
        const tags = Array.from({ length: BATCH }, () => `t${next++}`);
        const res = await hookyard.request("POST", "/api/v1/events", {
          token: INGEST_TOKEN,
          body: { events: tags.map((tag) => ({ type: "TAG_PUSH", repository: "acme/web", tag })) },
        });
        const status = `${res.status} ${res.json?.error?.code ?? ""}`.trim();
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (res.status === 202) accepted.push(...tags);
        if (res.status === 503) {
          retryAfter.add(String(res.headers.get("retry-after")));
          await sleep(100);
        }
      }
    };
    await Promise.all([publisher(), publisher(), publisher()]);

    const expected = accepted.length * WEBHOOKS;
    await waitFor(() => receiver.requests.length >= expected, { timeoutMs: 90_000, what: `${expected} deliveries` });
    await sleep(500);
    const counts = arrivals(receiver);
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    const probe = new Redis(redis.url);
    const errorStats = await probe.info("errorstats");
    probe.disconnect();
    console.log(
      `redis full: statuses ${JSON.stringify(statuses)}; expected ${expected}, delivered ${counts.size}, duplicated ${duplicates}`,
    );

    expect(Object.keys(statuses).sort()).toEqual(["202", "503 overloaded"]);
    expect([...retryAfter]).toEqual(["5"]);
    expect(counts.size).toBe(expected);
    expect(duplicates, JSON.stringify(await failedAttempts(hookyard))).toBe(0);
    // Redis never had to refuse a write: the workers always had room.
    expect(errorStats).not.toMatch(/errorstat_OOM/);
    expect(worker.exitCode).toBe(null);

    // Drained, ingest takes events again without anyone stepping in.
    const after = await waitFor(async () => {
      const res = await hookyard.request("POST", "/api/v1/events", {
        token: INGEST_TOKEN,
        body: { type: "TAG_PUSH", repository: "acme/web", tag: "after" },
      });
      return res.status === 202 && res;
    });
    expect(after.json.accepted).toBe(1);
    await waitFor(() => arrivals(receiver).has("/w0 after"));
  }, 150_000);

  it("refuses to start the API or a worker on a Redis that would evict queued jobs", async () => {
    redis = await startRedisServer({ maxmemory: "64mb", policy: "allkeys-lru", persist: false });
    const config = loadConfig({
      REDIS_URL: redis.url,
      PORT: "0",
      HOOKYARD_ADMIN_TOKEN: "test-admin-token-0123456789",
      HOOKYARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      HOOKYARD_QUEUE_PREFIX: "hy-evict",
    });
    const logger = createLogger({ service: "test", level: "error" });
    const message =
      'Redis maxmemory-policy is "allkeys-lru": it may delete queued jobs when full; set it to noeviction';
    await expect(startApi(config, logger)).rejects.toThrow(new StartupError(message));
    await expect(startWorker(config, logger)).rejects.toThrow(new StartupError(message));
  });
});
