import { createDb } from "@hookyard/db";
import { createQueues, createRedis } from "@hookyard/queues";
import { freePort, startTcpProxy, TEST_SERVER_URL } from "@hookyard/testkit";
import { describe, expect, it } from "vitest";
import { storesAway } from "./stores-away.js";

/** What `run` rejects with. */
async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("it did not fail");
}

describe("storesAway", () => {
  it("says so of a Redis that went away, for a plain command and a queue's counts", async () => {
    // The machine's Redis is shared: this test's connection goes through a proxy it cuts.
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: 6379 });
    const redis = createRedis(`redis://127.0.0.1:${proxy.port}`, "producer");
    redis.on("error", () => {});
    const queues = createQueues(redis, `hy-stores-away-${process.pid}`);
    for (const queue of [queues.events, ...queues.deliveryShards]) queue.on("error", () => {});
    try {
      await queues.events.getJobCounts("waiting");
      await proxy.cut();
      expect(storesAway(await failureOf(() => redis.hgetall("some-key")))).toBe(true);
      expect(storesAway(await failureOf(() => queues.events.getJobCounts("waiting")))).toBe(true);
    } finally {
      await proxy.close();
      redis.disconnect();
      await Promise.allSettled([queues.events.close(), ...queues.deliveryShards.map((q) => q.close())]);
    }
  });

  it("says so of a Postgres that refuses connections", async () => {
    const db = createDb(`postgresql://postgres@127.0.0.1:${await freePort()}/hookyard`);
    try {
      expect(storesAway(await failureOf(() => db.$queryRaw`SELECT 1`))).toBe(true);
    } finally {
      await db.$disconnect();
    }
  });

  it("does not of a statement Postgres refused, nor of a bug: those must not pass for an outage", async () => {
    const db = createDb(`${TEST_SERVER_URL}/postgres`);
    try {
      const refused = await failureOf(() => db.$queryRaw`SELECT count(*) FROM no_such_table`);
      expect(String(refused)).toContain("no_such_table");
      expect(storesAway(refused)).toBe(false);
    } finally {
      await db.$disconnect();
    }
    expect(storesAway(new TypeError("Cannot read properties of undefined (reading 'n')"))).toBe(false);
  });
});
