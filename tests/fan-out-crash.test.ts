import type { AcceptedEvent } from "@hookyard/core";
import {
  type ClaimedEvent,
  claimEventsForFanOut,
  FAN_OUT_CHUNK,
  type FanOutChunk,
  fanOutChunks,
  insertPendingDeliveries,
  newId,
} from "@hookyard/db";
import { manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

const WIDE = 3 * FAN_OUT_CHUNK + 17;
const CONCURRENCY = 50;

async function seedWebhooks(hookyard: TestHookyard, receiver: Receiver, count: number): Promise<void> {
  await hookyard.db.webhook.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      id: newId("webhook"),
      name: `w${i}`,
      url: `${receiver.url}/w${i}`,
      events: ["TAG_PUSH"],
      namespace: "acme",
      repository: "acme/wide",
    })),
  });
}

describe("fan-out to many webhooks", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await hookyard?.close();
    await receiver?.close();
  });

  it("run again after it stopped half way, writes every delivery pending once and yields each to be queued", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ worker: false });
    await seedWebhooks(hookyard, receiver, WIDE);
    const event: AcceptedEvent = {
      id: newId("event"),
      type: "TAG_PUSH",
      source: "distribution",
      namespace: "acme",
      repository: "acme/wide",
      tag: "v1",
      digest: null,
      actor: null,
      occurredAt: new Date().toISOString(),
      data: {},
      dedupKey: "fan-out-crash-1",
    };

    // The first run dies after its first chunk: of it, half was written (pending, queued), the
    // other half was in flight as first attempts, unwritten, as a killed worker leaves them.
    const first = await claimEventsForFanOut(hookyard.db, [event]);
    expect(first).toMatchObject([{ id: event.id, fresh: true }]);
    const firstRun = fanOutChunks(hookyard.db, first as ClaimedEvent[]);
    const chunk = (await firstRun.next()).value as FanOutChunk;
    expect(chunk).toMatchObject({ kind: "unwritten" });
    expect(chunk.deliveries).toHaveLength(FAN_OUT_CHUNK);
    const written = await insertPendingDeliveries(hookyard.db, chunk.deliveries.slice(0, FAN_OUT_CHUNK / 2));
    await firstRun.return(new Map());
    expect(await hookyard.db.delivery.count()).toBe(FAN_OUT_CHUNK / 2);

    // The job runs again: the event is no longer fresh, so nothing is sent without a row; every
    // delivery is written pending and yielded to be queued (under its own id, a no-op for those
    // queued already), none twice.
    const again = await claimEventsForFanOut(hookyard.db, [event]);
    expect(again).toMatchObject([{ id: event.id, fresh: false }]);
    const secondRun: string[] = [];
    for await (const { kind, deliveries } of fanOutChunks(hookyard.db, again as ClaimedEvent[])) {
      expect(kind).toBe("pending");
      secondRun.push(...deliveries.map((d) => d.id));
    }
    expect(new Set(secondRun).size).toBe(WIDE);
    expect(secondRun).toHaveLength(WIDE);
    expect(secondRun).toEqual(expect.arrayContaining(written.map((d) => d.id)));
    expect(await hookyard.db.delivery.count()).toBe(WIDE);
    const perWebhook = await hookyard.db.delivery.groupBy({ by: ["webhookId"], _count: true });
    expect(perWebhook).toHaveLength(WIDE);
  }, 60_000);

  it("lose no delivery when the worker is SIGKILLed in the middle of a wide fan-out", async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({
      worker: false,
      env: { HOOKYARD_WORKER_CONCURRENCY: String(CONCURRENCY), HOOKYARD_DELIVERY_TIMEOUT: "20s" },
    });
    await seedWebhooks(hookyard, receiver, WIDE);
    const doomed = hookyard.spawnWorker();
    expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/wide", tag: "v1" }))).status).toBe(202);

    // Killed as soon as the first deliveries are written (booked with their first attempt, or
    // pending), while the rest are being sent, written or queued.
    const madeAtKill = await waitFor(
      async () => {
        const made = await hookyard.db.delivery.count();
        return made > 0 && made;
      },
      { timeoutMs: 30_000, intervalMs: 2, what: "the first deliveries" },
    );
    doomed.kill("SIGKILL");
    await new Promise((resolve) => doomed.once("exit", resolve));
    const sentAtKill = receiver.requests.length;
    hookyard.spawnWorker();

    await waitFor(async () => (await hookyard.db.delivery.count({ where: { status: "succeeded" } })) === WIDE, {
      timeoutMs: 90_000,
      what: `${WIDE} deliveries succeeded`,
    });
    const paths = receiver.requests.map((r) => r.path);
    const duplicates = paths.length - new Set(paths).size;
    console.log(
      `wide fan-out, worker killed with ${madeAtKill} of ${WIDE} deliveries made and ${sentAtKill} sent: ${duplicates} sent twice`,
    );
    expect(doomed.signalCode).toBe("SIGKILL");
    expect(await hookyard.db.delivery.count()).toBe(WIDE);
    expect(new Set(paths).size).toBe(WIDE);
    // At least once: a repeat is a request the killed worker had in flight, never more than it held.
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
  }, 120_000);
});
