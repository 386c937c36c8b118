import type { AcceptedEvent } from "@hookyard/core";
import { FAN_OUT_CHUNK, newId, recordEventsAndFanOut } from "@hookyard/db";
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

  it("run again after it stopped half way, creates no delivery twice and hands every pending one on", async () => {
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

    // The first run dies once its first chunk is handed on (queued), as a killed worker would.
    const firstRun: string[] = [];
    const died = await recordEventsAndFanOut(hookyard.db, [event], async (deliveries) => {
      if (firstRun.length > 0) throw new Error("worker killed");
      firstRun.push(...deliveries.map((d) => d.id));
    }).catch((error: Error) => error);
    // What failed outside Postgres comes back as it was: the event is not blamed (dead-lettered) for it.
    expect(died).toEqual(new Error("worker killed"));
    expect(firstRun).toHaveLength(FAN_OUT_CHUNK);
    expect(await hookyard.db.delivery.count()).toBeLessThan(WIDE);

    // The job runs again: the deliveries already made are handed on again (queued under their own
    // ids, a no-op for those already queued), the rest are made, none twice.
    const secondRun: string[] = [];
    const [result] = await recordEventsAndFanOut(hookyard.db, [event], async (deliveries) => {
      secondRun.push(...deliveries.map((d) => d.id));
    });
    expect(result).not.toBeInstanceOf(Error);
    expect(new Set(secondRun).size).toBe(WIDE);
    expect(secondRun).toEqual(expect.arrayContaining(firstRun));
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

    // Killed as soon as the first deliveries exist, while the rest are being made or queued.
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
