import { deliveryShard } from "@hookyard/core";
import { deliveryQueueOf } from "@hookyard/queues";
import {
  manifestPush,
  type Receiver,
  type RedisCluster,
  startReceiver,
  startRedisCluster,
  waitFor,
} from "@hookyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";

const SHARDS = 4;

/** The webhook-ids each event (by its tag) arrived under at the receiver: one per webhook it reached. */
function receivedDeliveries(receiver: Receiver): Map<string, Set<string>> {
  const byTag = new Map<string, Set<string>>();
  for (const request of receiver.requests) {
    const tag = (request.json as { contents: { tag: string } }).contents.tag;
    const ids = byTag.get(tag) ?? new Set<string>();
    ids.add(String(request.headers["webhook-id"]));
    byTag.set(tag, ids);
  }
  return byTag;
}

describe("Hookyard on a Redis Cluster (three masters, three replicas)", () => {
  let cluster: RedisCluster;
  let hookyard: TestHookyard;
  let receiver: Receiver;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  const startHookyard = () =>
    TestHookyard.start({
      env: {
        REDIS_URL: cluster.url,
        HOOKYARD_REDIS_CLUSTER: "true",
        HOOKYARD_DELIVERY_SHARDS: String(SHARDS),
        // Delivery jobs a dead master took with it are pending in Postgres: queued again this soon.
        HOOKYARD_RECONCILE_INTERVAL: "2s",
      },
    });

  it("keeps a webhook's rate limit (its window's keys share one slot, decision 0021)", async () => {
    const times: number[] = [];
    receiver = await startReceiver(() => {
      times.push(Date.now());
      return { status: 200 };
    });
    hookyard = await startHookyard();
    const hook = await hookyard.createWebhook({
      name: "chat",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/chat",
      rateLimit: 3,
    });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        hookyard.ingestDistribution(manifestPush({ repository: "acme/chat", tag: `r${i}` })),
      ),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await receiver.waitForRequests(12, 30_000);
    await hookyard.settledDeliveries(hook.id, 12, 15_000);
    // No four requests within any second: each fourth comes at least a second after the first.
    const sorted = [...times].sort((a, b) => a - b);
    for (let i = 3; i < sorted.length; i++) {
      expect((sorted[i] as number) - (sorted[i - 3] as number)).toBeGreaterThanOrEqual(1_000);
    }
    const attempts = await hookyard.db.deliveryAttempt.findMany({ where: { delivery: { webhookId: hook.id } } });
    expect(attempts.map((a) => a.n)).toEqual(new Array(12).fill(1));
  }, 60_000);

  it("delivers over delivery shards on several masters, and loses no acknowledged event when a master dies", async () => {
    // A receiver that takes a moment, so that deliveries are in flight when the master dies. It
    // answers each calm delivery's first attempt 503: the worker makes first attempts itself, so
    // the retry is what runs as a job on the webhook's shard queue.
    const seen = new Set<string>();
    receiver = await startReceiver((request) => {
      const id = String(request.headers["webhook-id"]);
      const calm = (request.json as { contents: { tag: string } }).contents.tag.startsWith("calm-");
      if (calm && !seen.has(id)) {
        seen.add(id);
        return { status: 503 };
      }
      return { status: 200, delayMs: 20 };
    });
    hookyard = await startHookyard();

    // One webhook on each shard: webhooks are made until every shard has one, the extra ones deleted.
    const webhooks = new Map<number, string>();
    for (let i = 0; webhooks.size < SHARDS && i < 100; i++) {
      const { id } = await hookyard.createWebhook({
        name: `w${i}`,
        url: `${receiver.url}/w${i}`,
        events: ["TAG_PUSH"],
        repository: "acme/web",
      });
      const shard = deliveryShard(id, SHARDS);
      if (webhooks.has(shard)) expect((await hookyard.request("DELETE", `/api/v1/webhooks/${id}`)).status).toBe(204);
      else webhooks.set(shard, id);
    }
    expect(webhooks.size).toBe(SHARDS);

    // Each shard queue's keys share one slot, and the shards' slots are served by more than one master.
    const mastersOfShards = await hookyard.withQueues(async (queues) => {
      expect(queues.deliveryShards.map((queue) => queue.name)).toEqual([
        "{deliveries}",
        "{deliveries-1}",
        "{deliveries-2}",
        "{deliveries-3}",
      ]);
      return Promise.all(queues.deliveryShards.map((queue) => cluster.masterOfKey(queue.toKey("wait"))));
    });
    expect(new Set(mastersOfShards).size).toBeGreaterThanOrEqual(2);

    // Ingest, fan-out and delivery, before anything goes wrong.
    for (let i = 0; i < 10; i++) {
      expect(
        (await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: `calm-${i}` }))).status,
      ).toBe(202);
    }
    await receiver.waitForRequests(2 * 10 * SHARDS, 30_000);
    for (const [shard, webhookId] of webhooks) {
      const deliveries = await hookyard.settledDeliveries(webhookId, 10, 30_000);
      expect(deliveries.map((d) => d.status)).toEqual(new Array(10).fill("succeeded"));
      // The retry's job ran on the webhook's shard queue, under the delivery's id.
      const states = await hookyard.withQueues((queues) =>
        Promise.all(deliveries.map(async (d) => (await deliveryQueueOf(queues, webhookId).getJob(d.id))?.getState())),
      );
      expect(states, `shard ${shard}`).toEqual(new Array(10).fill("completed"));
    }
    expect(receivedDeliveries(receiver).get("calm-0")?.size).toBe(SHARDS);

    // Every shard is a queue of its own in /metrics, under its catalog name.
    const metrics = await fetch(`${hookyard.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const text = await metrics.text();
    for (const queue of ["events", "deliveries", "deliveries-1", "deliveries-2", "deliveries-3"]) {
      expect(text).toContain(`hookyard_queue_jobs{queue="${queue}",state="failed"} 0`);
    }

    // And in Bull Board, each under its catalog name (its keys' hash tag is BullMQ's name for it).
    const board = await fetch(`${hookyard.baseUrl}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const shown = ((await board.json()) as { queues: Array<{ name: string; displayName: string }> }).queues;
    expect(shown.map((q) => q.displayName).sort()).toEqual([
      "deliveries",
      "deliveries-1",
      "deliveries-2",
      "deliveries-3",
      "events",
    ]);

    // Now publishers keep pushing while the master holding the events queue is killed.
    const acknowledged: string[] = [];
    let refused = 0;
    let n = 0;
    let publishing = true;
    const publisher = async () => {
      while (publishing) {
        const tag = `storm-${n++}`;
        const res = await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag }));
        if (res.status === 202) acknowledged.push(tag);
        else {
          expect(res.status).toBe(503);
          refused += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const publishers = Promise.all(Array.from({ length: 6 }, publisher));
    await waitFor(() => acknowledged.length >= 20, { timeoutMs: 15_000, what: "events acknowledged before the kill" });
    const eventsKey = await hookyard.withQueues(async (queues) => queues.events.toKey("wait"));
    const eventsMaster = await cluster.masterOfKey(eventsKey);
    const acknowledgedBeforeKill = acknowledged.length;
    const promoted = await cluster.killMaster(eventsMaster);
    expect(await cluster.masterOfKey(eventsKey)).toBe(promoted);
    // Hookyard goes on, unrestarted: events are acknowledged again once the cluster has failed over.
    const acknowledgedAtFailover = acknowledged.length;
    await waitFor(() => acknowledged.length >= acknowledgedAtFailover + 20, {
      timeoutMs: 20_000,
      what: "events acknowledged after the failover",
    });
    publishing = false;
    await publishers;
    expect(acknowledgedBeforeKill).toBeGreaterThan(0);

    // Every acknowledged event reaches every webhook, at least once: one webhook-id per webhook.
    await waitFor(
      () => {
        const received = receivedDeliveries(receiver);
        return acknowledged.every((tag) => received.get(tag)?.size === SHARDS);
      },
      { timeoutMs: 60_000, what: `${acknowledged.length} acknowledged events at all ${SHARDS} webhooks` },
    ).catch((error: Error) => {
      const received = receivedDeliveries(receiver);
      const missing = acknowledged.filter((tag) => received.get(tag)?.size !== SHARDS);
      throw new Error(`${error.message}; missing: ${missing.join(", ")}`);
    });
    const distinct = new Set(receiver.requests.map((r) => String(r.headers["webhook-id"])));
    expect(distinct.size).toBeGreaterThanOrEqual((10 + acknowledged.length) * SHARDS);
    expect((await hookyard.request("GET", "/readyz", { token: null })).status).toBe(200);

    // The dead master, started again, rejoins as the replica of the one that replaced it.
    await cluster.restartNode(eventsMaster);
    const rejoined = (await cluster.nodes()).find((node) => node.url === eventsMaster);
    expect(rejoined?.role).toBe("replica");
    expect(rejoined?.masterId).toBe((await cluster.nodes()).find((node) => node.url === promoted)?.id);
    console.info(
      `redis cluster: ${acknowledged.length} events acknowledged during the run (${refused} refused while failing over), ` +
        `${distinct.size} distinct deliveries at the receiver, ${receiver.requests.length} requests`,
    );
  }, 180_000);

  it("answers 202 only once a replica has the events, so that a failover cannot lose them", async () => {
    receiver = await startReceiver();
    hookyard = await startHookyard();
    await hookyard.createWebhook({ name: "w", url: receiver.url, events: ["TAG_PUSH"], repository: "acme/web" });
    const push = (tag: string) => hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag }));
    expect((await push("before")).status).toBe(202);

    // The replica of the master holding the events queue hangs: its master still takes writes,
    // but nothing it takes would survive that master's death, so ingest must not acknowledge them.
    const eventsMaster = await hookyard.withQueues((queues) => cluster.masterOfKey(queues.events.toKey("wait")));
    const nodes = await cluster.nodes();
    const masterId = nodes.find((node) => node.url === eventsMaster)?.id;
    const replica = nodes.find((node) => node.masterId === masterId && !node.failed);
    expect(replica).toBeDefined();
    const thaw = cluster.freezeNode(replica?.url as string);
    try {
      const started = performance.now();
      const res = await push("unconfirmed");
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe("unavailable");
      // Still fast, as for any Redis trouble: the registry retries.
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      thaw();
    }
    await waitFor(async () => (await push("after")).status === 202, { what: "ingest acknowledging again" });
    // Both acknowledged events are delivered (the refused one may be too: it was in Redis, unconfirmed).
    await waitFor(() => ["before", "after"].every((tag) => receivedDeliveries(receiver).get(tag)?.size === 1), {
      what: "the acknowledged events delivered",
    });
  }, 60_000);
});
