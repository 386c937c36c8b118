import { randomUUID } from "node:crypto";
import { type AcceptedEvent, deliveryShard } from "@hookyard/core";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
  createQueues,
  deliveryQueueName,
  deliveryQueueOf,
  EVENT_JOB_OPTIONS,
  eventJob,
  type Queues,
  queueEvents,
  queueLabel,
} from "./catalog.js";

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

function event(id: string, dedupKey = `distribution:${id}:TAG_PUSH`): AcceptedEvent {
  return {
    id,
    type: "TAG_PUSH",
    dedupKey,
    source: "distribution",
    namespace: "acme",
    repository: "acme/web",
    tag: "1.0",
    digest: "sha256:0123",
    actor: null,
    occurredAt: "2026-12-06T10:00:00.000Z",
    data: {},
  };
}

describe("an event's job", () => {
  it("is named after the event's type, carries the event, and goes under the event's id", () => {
    const job = eventJob(event("evt_1"));
    expect(job).toEqual({
      name: "TAG_PUSH",
      data: { event: event("evt_1") },
      opts: { ...EVENT_JOB_OPTIONS, jobId: "evt_1" },
    });
  });

  it("with a dedup window, is deduplicated on a bounded hash of the dedup key for that long", () => {
    const long = eventJob(event("evt_1", `distribution:${"x".repeat(5_000)}:TAG_PUSH`), 60_000);
    expect(long.opts.deduplication).toEqual({ id: expect.stringMatching(/^[0-9a-f]{40}$/), ttl: 60_000 });
    expect(eventJob(event("evt_2", "k"), 1).opts.deduplication?.id).toBe(
      eventJob(event("evt_3", "k"), 2).opts.deduplication?.id,
    );
    expect(eventJob(event("evt_2", "k")).opts.deduplication).toBeUndefined();
  });

  describe("queued (the machine's Redis, a prefix of the test's own)", () => {
    let redis: Redis;
    let queues: Queues;
    afterEach(async () => {
      await queues.events.obliterate({ force: true });
      await queues.close();
      redis.disconnect();
    });
    const open = () => {
      redis = new Redis({ maxRetriesPerRequest: null });
      queues = createQueues(redis, `hy-catalog-${randomUUID()}`);
    };

    it("adds one job per event, in order, and an event queued again is not a second job", async () => {
      open();
      const jobs = await queueEvents(queues, [event("evt_a"), event("evt_b")]);
      expect(jobs.map((job) => job.id)).toEqual(["evt_a", "evt_b"]);
      await queueEvents(queues, [event("evt_a")]);
      expect(await queues.events.getJobCountByTypes("waiting")).toBe(2);
      expect((await queues.events.getJob("evt_b"))?.data).toEqual({ event: event("evt_b") });
    });

    it("answers the first job for another id of the same dedup key within the window", async () => {
      open();
      const [first] = await queueEvents(queues, [event("evt_first", "same")], { dedupWindowMs: 60_000 });
      const [again] = await queueEvents(queues, [event("evt_again", "same")], { dedupWindowMs: 60_000 });
      expect(first?.id).toBe("evt_first");
      expect(again?.id).toBe("evt_first");
      expect(await queues.events.getJobCountByTypes("waiting")).toBe(1);
    });
  });
});
