import { randomUUID } from "node:crypto";
import { createQueues } from "@hookyard/queues";
import {
  manifestPush,
  type RawReceiver,
  type Receiver,
  startRawReceiver,
  startReceiver,
  waitFor,
} from "@hookyard/testkit";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";
import { acceptedEvent } from "./support/rows.js";

/*
 * Hookyard's promise is "never 202 for an event that is then lost". These tests publish what a
 * hostile or broken client sends beside what a good one sends, and check the promise per event.
 */

interface Publication {
  /** What the tag of the delivered TAG_PUSH will be, for a valid event. */
  tag: string;
  route: "/api/v1/events" | "/api/v1/ingest/distribution";
  body: unknown;
  /** For an invalid one: the field the 400 must name. */
  refusedField: string | null;
}

const DISTRIBUTION_V1 = "application/vnd.docker.distribution.events.v1+json";

// Values Postgres cannot hold, or an index cannot, or JavaScript dates and Postgres disagree on.
const NUL_TEXT = fc.constantFrom("a\u0000b", "\u0000", "tail\u0000");
const LONE_SURROGATE = fc.constantFrom("\ud800", "x\udfffy", "\udbff");
const BAD_TEXT = fc.oneof(NUL_TEXT, LONE_SURROGATE);
const BAD_TIME = fc.constantFrom(
  "9999-12-31T23:59:59-23:59", // year 10000 in UTC
  "0000-01-01T00:00:00Z",
  "1969-07-20T20:17:40Z",
  "2026-02-30T00:00:00Z",
);
const HUGE_ID = fc.integer({ min: 257, max: 5_000 }).map((n) => "i".repeat(n));
const GOOD_TEXT = fc.string({ unit: "grapheme", maxLength: 30 });
const GOOD_TIME = fc
  .date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true })
  .map((d) => d.toISOString());

function nativeEvent(tag: string, over: { id?: string; occurredAt?: string; author?: string }) {
  return {
    type: "TAG_PUSH",
    repository: "acme/web",
    tag,
    id: over.id ?? randomUUID(),
    occurredAt: over.occurredAt ?? "2026-11-29T10:00:00Z",
    contents: { author: over.author ?? "alice" },
  };
}

function distributionEvent(tag: string, over: { id?: string; timestamp?: string; actor?: string; extra?: string }) {
  const envelope = manifestPush({ repository: "acme/web", tag, actor: over.actor ?? "alice" });
  const event = envelope.events[0] as Record<string, unknown>;
  if (over.id !== undefined) event.id = over.id;
  if (over.timestamp !== undefined) event.timestamp = over.timestamp;
  // Registries add fields Hookyard does not read; a bad value there is still refused, not stored.
  if (over.extra !== undefined) event.annotations = { note: over.extra };
  return envelope;
}

/** One publication: valid, or broken in exactly one field that the answer must name. */
const publication = (tag: string): fc.Arbitrary<Publication> =>
  fc.oneof(
    fc.record({ author: GOOD_TEXT, occurredAt: GOOD_TIME }).map((o) => ({
      tag,
      route: "/api/v1/events" as const,
      body: nativeEvent(tag, o),
      refusedField: null,
    })),
    fc.record({ actor: GOOD_TEXT, timestamp: GOOD_TIME }).map((o) => ({
      tag,
      route: "/api/v1/ingest/distribution" as const,
      body: distributionEvent(tag, o),
      refusedField: null,
    })),
    fc
      .oneof(
        BAD_TEXT.map((v) => ({ over: { author: v }, field: "contents.author" })),
        fc.oneof(BAD_TEXT, HUGE_ID).map((v) => ({ over: { id: v }, field: "id" })),
        BAD_TIME.map((v) => ({ over: { occurredAt: v }, field: "occurredAt" })),
      )
      .map(({ over, field }) => ({
        tag,
        route: "/api/v1/events" as const,
        body: nativeEvent(tag, over),
        refusedField: field,
      })),
    fc
      .oneof(
        BAD_TEXT.map((v) => ({ over: { actor: v }, field: "events[0].actor.name" })),
        fc.oneof(BAD_TEXT, HUGE_ID).map((v) => ({ over: { id: v }, field: "events[0].id" })),
        BAD_TIME.map((v) => ({ over: { timestamp: v }, field: "events[0].timestamp" })),
        BAD_TEXT.map((v) => ({ over: { extra: v }, field: "events[0].annotations.note" })),
      )
      .map(({ over, field }) => ({
        tag,
        route: "/api/v1/ingest/distribution" as const,
        body: distributionEvent(tag, over),
        refusedField: field,
      })),
  );

describe("hostile input beside good input", () => {
  let hookyard: TestHookyard;
  const receivers: Array<Receiver | RawReceiver> = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.close()));
    await hookyard?.close();
  });

  it("answers 202 only for events it then delivers, once each, and 400 naming the field for the rest", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    hookyard = await TestHookyard.start();
    await hookyard.createWebhook({ name: "all", url: receiver.url, events: ["TAG_PUSH"], repository: "acme/web" });

    const acceptedTags: string[] = [];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 10, max: 40 }).chain((n) => {
          run += 1;
          return fc.tuple(...Array.from({ length: n }, (_, i) => publication(`r${run}-${i}`)));
        }),
        async (publications) => {
          // Sent concurrently, so that good and bad events share the API's and the worker's batches.
          const answers = await Promise.all(
            publications.map((p) =>
              hookyard.request("POST", p.route, {
                body: p.body,
                token: INGEST_TOKEN,
                contentType: p.route === "/api/v1/events" ? "application/json" : DISTRIBUTION_V1,
              }),
            ),
          );
          for (const [i, p] of publications.entries()) {
            const answer = answers[i];
            if (p.refusedField === null) {
              expect(answer?.status, JSON.stringify(answer?.json)).toBe(202);
              acceptedTags.push(p.tag);
            } else {
              expect(answer?.status).toBe(400);
              expect(answer?.json.error.code).toBe("invalid_request");
              expect(answer?.json.error.message.startsWith(`${p.refusedField}: `), answer?.json.error.message).toBe(
                true,
              );
            }
          }
        },
      ),
      { numRuns: 6 },
    );

    // A first attempt is written once booked, just after its POST went out (decision 0015): the
    // receiver may have a request whose delivery row is a moment away.
    await waitFor(
      async () =>
        (await hookyard.db.delivery.count({ where: { status: { not: "succeeded" } } })) === 0 &&
        receiver.requests.length >= acceptedTags.length &&
        (await hookyard.db.delivery.count({ where: { status: "succeeded" } })) >= acceptedTags.length,
      {
        timeoutMs: 20_000,
        what: `${acceptedTags.length} deliveries`,
      },
    );
    const deliveredTags = receiver.requests.map((r) => (r.json as { contents: { tag: string } }).contents.tag);
    expect(deliveredTags.sort()).toEqual([...acceptedTags].sort());
    expect(await hookyard.db.delivery.count()).toBe(acceptedTags.length);
    // Nothing was left behind in the queue's failed set.
    expect(await failedJobs(hookyard)).toEqual({ events: 0, deliveries: 0 });
  });

  it("delivers to healthy receivers exactly once while hostile receivers answer NULs, bad UTF-8 and control characters", async () => {
    const healthy = await startReceiver();
    const nulBody = await startReceiver(() => ({ status: 200, body: "ok\u0000\u0000done" }));
    const rawAnswers: Record<string, Buffer> = {
      "nul in a header": Buffer.from("HTTP/1.1 200 OK\r\nX-Evil: a\u0000b\r\nContent-Length: 2\r\n\r\nok", "latin1"),
      "invalid utf-8": Buffer.concat([
        Buffer.from("HTTP/1.1 500 Oops\r\nContent-Length: 8\r\n\r\n", "latin1"),
        // A lone surrogate as CESU-8, an overlong NUL, a stray continuation byte: none is UTF-8.
        Buffer.from([0xed, 0xa0, 0x80, 0xc0, 0x80, 0x80, 0x41, 0x42]),
      ]),
      "control bytes in a header": Buffer.from(
        "HTTP/1.1 200 OK\r\nX-Bell: \u0007\u0001\r\nContent-Length: 0\r\n\r\n",
        "latin1",
      ),
      "a length it does not keep": Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "latin1"),
    };
    const raw = await Promise.all(Object.values(rawAnswers).map((bytes) => startRawReceiver(() => bytes)));
    receivers.push(healthy, nulBody, ...raw);
    hookyard = await TestHookyard.start({ env: { HOOKYARD_RETRY_SCHEDULE: "50ms", HOOKYARD_DELIVERY_TIMEOUT: "10s" } });
    const healthyHook = await hookyard.createWebhook({
      name: "ok",
      url: healthy.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const hostileHooks = await Promise.all(
      [nulBody, ...raw].map((r, i) =>
        hookyard.createWebhook({ name: `hostile-${i}`, url: r.url, events: ["TAG_PUSH"], repository: "acme/web" }),
      ),
    );

    const events = Array.from({ length: 200 }, (_, i) => nativeEvent(`h${i}`, {}));
    for (let i = 0; i < events.length; i += 50) {
      const res = await hookyard.request("POST", "/api/v1/events", {
        body: { events: events.slice(i, i + 50) },
        token: INGEST_TOKEN,
      });
      expect(res.json).toEqual({ accepted: 50, duplicates: 0, ignored: 0 });
    }

    await waitFor(
      async () =>
        (await hookyard.db.delivery.count({ where: { status: "pending" } })) === 0 &&
        (await hookyard.db.delivery.count()) === 200 * 6,
      {
        timeoutMs: 25_000,
        what: "every delivery settled",
      },
    );
    const healthyDeliveries = await hookyard.db.delivery.findMany({ where: { webhookId: healthyHook.id } });
    expect(healthyDeliveries.map((d) => [d.status, d.attemptCount])).toEqual(Array(200).fill(["succeeded", 1]));
    expect(healthy.requests).toHaveLength(200);
    expect(new Set(healthy.requests.map((r) => r.headers["webhook-id"])).size).toBe(200);

    // Every hostile delivery got its attempts booked, with what the receiver said made readable.
    for (const hook of hostileHooks) {
      const attempts = await hookyard.db.deliveryAttempt.findMany({ where: { delivery: { webhookId: hook.id } } });
      expect(attempts.length).toBeGreaterThanOrEqual(200);
    }
    const nulAttempt = await hookyard.db.deliveryAttempt.findFirst({
      where: { delivery: { webhookId: hostileHooks[0]?.id } },
    });
    expect(nulAttempt?.responseBody).toBe("ok\uFFFD\uFFFDdone");
    expect(await failedJobs(hookyard)).toEqual({ events: 0, deliveries: 0 });
  });

  it("dead-letters an event Postgres refuses without holding back the events queued beside it", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    hookyard = await TestHookyard.start({ worker: false });
    await hookyard.createWebhook({ name: "all", url: receiver.url, events: ["TAG_PUSH"], repository: "acme/web" });

    // Straight into the queue, as a source that forgot to check could put it there.
    const redis = new Redis(hookyard.config.redisUrl);
    const queues = createQueues(redis, hookyard.config.queuePrefix);
    const event = (tag: string) => acceptedEvent({ tag });
    const good = Array.from({ length: 30 }, (_, i) => event(`g${i}`));
    const poisoned = event("p\u0000");
    await queues.events.addBulk(
      [...good.slice(0, 15), poisoned, ...good.slice(15)].map((e) => ({
        name: e.type,
        data: { event: e },
        opts: { jobId: e.id, attempts: 20 },
      })),
    );
    await hookyard.startWorker();

    await receiver.waitForRequests(30);
    const failed = await waitFor(async () => {
      const jobs = await queues.events.getFailed();
      return jobs.length > 0 && jobs;
    });
    expect(failed.map((j) => j.id)).toEqual([poisoned.id]);
    expect(failed[0]?.failedReason).toMatch(/Postgres refused this item: 22021: invalid byte sequence/);
    // Dead-lettered at once: retrying cannot make Postgres take it.
    expect(failed[0]?.attemptsMade).toBe(1);
    expect(await hookyard.db.event.count()).toBe(30);
    // Where an operator sees it: the failed set counts in /metrics (and Bull Board lists it).
    const metrics = await fetch(`${hookyard.baseUrl}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('hookyard_queue_jobs{queue="events",state="failed"} 1');
    expect(text).toContain('hookyard_queue_jobs{queue="deliveries",state="failed"} 0');
    expect((await fetch(`${hookyard.baseUrl}/metrics`)).status).toBe(401);
    await queues.close();
    redis.disconnect();
  });
});

async function failedJobs(hookyard: TestHookyard): Promise<{ events: number; deliveries: number }> {
  const redis = new Redis(hookyard.config.redisUrl);
  const queues = createQueues(redis, hookyard.config.queuePrefix);
  try {
    return {
      events: await queues.events.getFailedCount(),
      deliveries: (await Promise.all(queues.deliveryShards.map((q) => q.getFailedCount()))).reduce((a, b) => a + b, 0),
    };
  } finally {
    await queues.close();
    redis.disconnect();
  }
}
