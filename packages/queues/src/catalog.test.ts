import { deliveryShard } from "@hookyard/core";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createQueues, deliveryQueueName, deliveryQueueOf, type Queues, queueLabel } from "./catalog.js";

describe("the queue catalog's names", () => {
  const opened: Array<{ queues: Queues; redis: Redis }> = [];
  const open = (shards: number) => {
    // The machine's Redis; naming a queue writes nothing to it.
    const redis = new Redis({ lazyConnect: true });
    const queues = createQueues(redis, "hookyard", shards);
    opened.push({ queues, redis });
    return queues;
  };
  afterEach(async () => {
    for (const { queues, redis } of opened.splice(0)) {
      await queues.close();
      redis.disconnect();
    }
  });

  it("keeps one Redis's keys as they always were with one shard, so queued jobs stay where they are", () => {
    const queues = open(1);
    expect(queues.events.toKey("wait")).toBe("hookyard:events:wait");
    expect(queues.deliveryShards.map((queue) => queue.toKey("wait"))).toEqual(["hookyard:deliveries:wait"]);
  });

  it("names shards deliveries, deliveries-1, deliveries-2 ..., and puts each webhook on deliveryShard's", () => {
    const queues = open(3);
    expect(queues.deliveryShards.map((queue) => queue.name)).toEqual(["deliveries", "deliveries-1", "deliveries-2"]);
    expect([0, 1, 2].map(deliveryQueueName)).toEqual(["deliveries", "deliveries-1", "deliveries-2"]);
    for (const webhookId of ["wh_a", "wh_b", "wh_c", "wh_d", "wh_e"]) {
      expect(deliveryQueueOf(queues, webhookId).name).toBe(deliveryQueueName(deliveryShard(webhookId, 3)));
    }
  });

  it("shows a cluster queue's name without its hash tag", () => {
    expect(queueLabel("{deliveries-2}")).toBe("deliveries-2");
    expect(queueLabel("events")).toBe("events");
  });
});
