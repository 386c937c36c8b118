import { createDb, type Db, NOTHING_PRUNED, newId, type PruneCounts, pruneBatch } from "@hookyard/db";
import { manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/*
 * Issue 16: retention removes what ended longer ago than HOOKYARD_RETENTION, trims attempts' heavy
 * parts after HOOKYARD_BODY_RETENTION, and never touches what is still going on.
 */

const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms);

describe("pruning, row by row", () => {
  let hookyard: TestHookyard;
  let webhookId: string;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
    ({ id: webhookId } = await hookyard.createWebhook({
      name: "kept",
      url: "http://127.0.0.1:9/hook",
      events: ["TAG_PUSH"],
      repository: "acme/web",
    }));
  });
  afterAll(() => hookyard?.close());

  let tag = 0;
  async function event(receivedAgoMs: number): Promise<string> {
    tag += 1;
    const id = newId("event");
    await hookyard.db.event.create({
      data: {
        id,
        dedupKey: `retention-${id}`,
        type: "TAG_PUSH",
        source: "native",
        namespace: "acme",
        repository: "acme/web",
        tag: `v${tag}`,
        occurredAt: ago(receivedAgoMs),
        receivedAt: ago(receivedAgoMs),
        data: {},
      },
    });
    return id;
  }

  async function delivery(
    eventId: string,
    status: "pending" | "succeeded" | "failed",
    completedAgoMs: number | null,
    attemptAgoMs = completedAgoMs ?? 0,
  ): Promise<string> {
    const id = newId("delivery");
    await hookyard.db.delivery.create({
      data: {
        id,
        webhookId,
        eventId,
        status,
        attemptCount: 1,
        lastStatusCode: status === "failed" ? 500 : 200,
        createdAt: ago(attemptAgoMs),
        completedAt: completedAgoMs === null ? null : ago(completedAgoMs),
        attempts: {
          create: {
            id: newId("attempt"),
            n: 1,
            startedAt: ago(attemptAgoMs),
            durationMs: 12,
            statusCode: status === "failed" ? 500 : 200,
            requestHeaders: { "content-type": "application/json" },
            requestBody: '{"events":[]}',
            responseHeaders: { server: "receiver" },
            responseBody: "ok",
          },
        },
      },
    });
    return id;
  }

  async function run(eventId: string, state: "running" | "completed", endedAgoMs: number | null, deliveryId: string) {
    const chainId = newId("chain");
    await hookyard.db.chain.create({ data: { id: chainId, name: "c", repository: "acme/web", events: ["TAG_PUSH"] } });
    const id = newId("chainRun");
    // A run completes on its last step's success callback (docs/invariants.md): the fixture has one.
    if (state === "completed") {
      await hookyard.db.callback.create({
        data: {
          id: newId("callback"),
          deliveryId,
          state: "success",
          receivedAt: ago(endedAgoMs ?? 0),
          expiresAt: ago(endedAgoMs ?? 0),
          tokens: { create: { tokenHash: `retention-${id}` } },
        },
      });
    }
    await hookyard.db.chainRun.create({
      data: {
        id,
        chainId,
        eventId,
        state,
        endedAt: endedAgoMs === null ? null : ago(endedAgoMs),
        steps: { create: { id: newId("chainStep"), position: 1, webhookId, deliveryId, startedAt: ago(2 * HOUR) } },
      },
    });
    return id;
  }

  /** Prunes with a retention of 1 h and a body retention of 10 min until nothing more goes. */
  async function pruneAll(db: Db): Promise<PruneCounts> {
    const total: PruneCounts = { ...NOTHING_PRUNED };
    for (;;) {
      const counts = await pruneBatch(db, { before: ago(HOUR), bodiesBefore: ago(10 * 60_000), batch: 2 });
      for (const kind of Object.keys(total) as Array<keyof PruneCounts>) total[kind] += counts[kind];
      if (Object.values(counts).every((n) => n === 0)) return total;
    }
  }

  it("removes what ended past retention and nothing else, with two workers pruning at once", async () => {
    // Gone: an old event whose delivery finished long ago, and a run that ended long ago with its event.
    const oldDone = await event(3 * HOUR);
    const oldDelivery = await delivery(oldDone, "failed", 2 * HOUR);
    const oldRunEvent = await event(3 * HOUR);
    const oldRunDelivery = await delivery(oldRunEvent, "succeeded", 3 * HOUR);
    const oldRun = await run(oldRunEvent, "completed", 2 * HOUR, oldRunDelivery);
    // Kept: a pending delivery of an old event, a running run, a run that ended just now, fresh rows,
    // and a delivery of an old event that finished just now (a redelivery).
    const pendingEvent = await event(3 * HOUR);
    const pending = await delivery(pendingEvent, "pending", null, 3 * HOUR);
    const runningEvent = await event(3 * HOUR);
    const runningDelivery = await delivery(runningEvent, "succeeded", 3 * HOUR);
    const running = await run(runningEvent, "running", null, runningDelivery);
    const recentRunEvent = await event(3 * HOUR);
    const recentRunDelivery = await delivery(recentRunEvent, "succeeded", 3 * HOUR);
    const recentRun = await run(recentRunEvent, "completed", 60_000, recentRunDelivery);
    const freshEvent = await event(60_000);
    const fresh = await delivery(freshEvent, "succeeded", 60_000);
    const redeliveredEvent = await event(3 * HOUR);
    const redelivered = await delivery(redeliveredEvent, "succeeded", 30_000, 30 * 60_000);
    // And many more old ones, so that the two pruners meet on the same rows.
    const many = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const id = await event(5 * HOUR);
        await delivery(id, "succeeded", 4 * HOUR);
        return id;
      }),
    );

    const second = createDb(hookyard.database.url);
    try {
      const [a, b] = await Promise.all([pruneAll(hookyard.db), pruneAll(second)]);
      // Each row went once, whichever pruner took it.
      expect(a.deliveries + b.deliveries).toBe(2 + many.length);
      expect(a.events + b.events).toBe(2 + many.length);
      expect(a.chainRuns + b.chainRuns).toBe(1);
    } finally {
      await second.$disconnect();
    }

    const events = new Set((await hookyard.db.event.findMany({ select: { id: true } })).map((e) => e.id));
    const deliveries = new Set((await hookyard.db.delivery.findMany({ select: { id: true } })).map((d) => d.id));
    const runs = new Set((await hookyard.db.chainRun.findMany({ select: { id: true } })).map((r) => r.id));
    for (const gone of [oldDone, oldRunEvent, ...many]) expect(events.has(gone), gone).toBe(false);
    for (const gone of [oldDelivery, oldRunDelivery]) expect(deliveries.has(gone), gone).toBe(false);
    expect(runs.has(oldRun)).toBe(false);
    for (const kept of [pendingEvent, runningEvent, recentRunEvent, freshEvent, redeliveredEvent]) {
      expect(events.has(kept), kept).toBe(true);
    }
    for (const kept of [pending, runningDelivery, recentRunDelivery, fresh, redelivered]) {
      expect(deliveries.has(kept), kept).toBe(true);
    }
    expect([...runs].sort()).toEqual([running, recentRun].sort());
    // No attempt is left without its delivery.
    expect(
      await hookyard.db.deliveryAttempt.count({ where: { deliveryId: { in: [oldDelivery, oldRunDelivery] } } }),
    ).toBe(0);
  });

  it("trims the headers and bodies of attempts past HOOKYARD_BODY_RETENTION, keeping the rest of them", async () => {
    const id = await event(30 * 60_000);
    const trimmed = await delivery(id, "failed", 20 * 60_000);
    const kept = await delivery(await event(60_000), "failed", 60_000);
    await pruneAll(hookyard.db);

    const res = await hookyard.request("GET", `/api/v1/deliveries/${trimmed}`);
    expect(res.status).toBe(200);
    expect(res.json.attempts[0]).toMatchObject({
      statusCode: 500,
      durationMs: 12,
      requestHeaders: {},
      requestBody: null,
      responseHeaders: null,
      responseBody: null,
      trimmedAt: expect.any(String),
    });
    const whole = await hookyard.request("GET", `/api/v1/deliveries/${kept}`);
    expect(whole.json.attempts[0]).toMatchObject({
      requestBody: '{"events":[]}',
      responseBody: "ok",
      responseHeaders: { server: "receiver" },
      trimmedAt: null,
    });
  });
});

describe("pruning by itself in the workers", () => {
  let hookyard: TestHookyard | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await hookyard?.close();
    await receiver?.close();
  });

  it("deletes a delivered event within the prune interval of its retention, with no other traffic", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({
      env: {
        HOOKYARD_RETENTION: "3s",
        HOOKYARD_BODY_RETENTION: "1s",
        HOOKYARD_PRUNE_INTERVAL: "1s",
        LOG_LEVEL: "info",
      },
    });
    const webhook = await hookyard.createWebhook({
      name: "short-lived",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "v1" }))).status).toBe(202);
    const [delivered] = await hookyard.settledDeliveries(webhook.id, 1);
    const current = hookyard;
    await waitFor(async () => (await current.request("GET", `/api/v1/deliveries/${delivered?.id}`)).status === 404, {
      timeoutMs: 15_000,
      what: "the delivery pruned",
    });
    expect(await current.db.event.count()).toBe(0);
    // The pass says what it pruned once it has also vacuumed, after the rows are gone: wait for its line.
    const prunedLines = () =>
      current.logLines.filter(
        (line) => line.message === "pruned what is past retention" && Number(line.deliveries) > 0,
      );
    await waitFor(() => prunedLines().length > 0, { timeoutMs: 10_000, what: "the pass's log line" });
    // Its attempt's headers and body went first (1 s), then the delivery and the event (3 s).
    const passes = current.logLines.filter((line) => line.message === "pruned what is past retention");
    expect(passes.reduce((n, line) => n + Number(line.attemptsTrimmed), 0)).toBe(1);
    const pruned = passes.find((line) => Number(line.deliveries) > 0);
    // The push's two events: TAG_PUSH, and MANIFEST_PUSH, which no webhook takes.
    expect(pruned).toMatchObject({ deliveries: 1, events: 2 });
    // Where Postgres does not vacuum by itself (this machine's CI server), the pruner does.
    const [setting] = await current.db.$queryRaw<Array<{ autovacuum: string }>>`SHOW autovacuum`;
    if (setting?.autovacuum === "on") expect(pruned?.vacuumed).toEqual([]);
    else expect(pruned?.vacuumed).toEqual(expect.arrayContaining(["deliveries", "delivery_attempts", "events"]));
  });
});
