import { type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";
import {
  arrivals,
  createWebhooks,
  FAULT_TEST_ENV,
  failedAttempts,
  onlyAcceptedOrUnavailable,
  publishSteadily,
  sleep,
} from "./support/steady-load.js";

const WEBHOOKS = 5;
const CONCURRENCY = 50;

/*
 * Two worker processes share the queues, as a scaled-out deployment does: they must never
 * deadlock in Postgres, and only a worker killed mid-request may cause a repeat (at-least-once).
 */
describe("two workers under load", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  async function setUp() {
    receiver = await startReceiver(() => ({ status: 200, delayMs: 5 }));
    hookyard = await TestHookyard.start({
      worker: false,
      // A lock the busy test machine cannot outlast by accident (the harness's 1 s can be), so that a
      // repeat can only come from the kill; a killed worker's jobs are taken over within two of it.
      env: {
        ...FAULT_TEST_ENV,
        HOOKYARD_WORKER_CONCURRENCY: String(CONCURRENCY),
        HOOKYARD_JOB_LOCK: "5s",
        LOG_LEVEL: "warn",
      },
    });
    await createWebhooks(hookyard, receiver, WEBHOOKS);
    return [hookyard.spawnWorker(), hookyard.spawnWorker()] as const;
  }

  async function delivered(accepted: number) {
    const expected = accepted * WEBHOOKS;
    await waitFor(() => arrivals(receiver).size >= expected, { timeoutMs: 90_000, what: `${expected} deliveries` });
    await sleep(500);
    const counts = arrivals(receiver);
    return { expected, counts, duplicates: [...counts.values()].reduce((sum, n) => sum + n - 1, 0) };
  }

  /** Log lines about Postgres deadlocks or failed jobs, from either worker. */
  const troubles = () =>
    hookyard.childLogLines.filter((l) => l.level === "error" || JSON.stringify(l).includes("40P01"));

  it("deliver every event exactly once, without a deadlock, when both stay up", async () => {
    const [a, b] = await setUp();
    const load = await publishSteadily(hookyard, { pushes: 1_000, perSecond: 150 });
    const { expected, counts, duplicates } = await delivered(load.accepted.length);
    console.log(`two workers: expected ${expected}, delivered ${counts.size}, duplicated ${duplicates}`);

    expect(onlyAcceptedOrUnavailable(load)).toBe(true);
    expect(counts.size).toBe(expected);
    expect(duplicates, JSON.stringify(await failedAttempts(hookyard))).toBe(0);
    expect(troubles()).toEqual([]);
    expect([a.exitCode, b.exitCode]).toEqual([null, null]);
    expect(await hookyard.db.deliveryAttempt.count()).toBe(expected);
  }, 120_000);

  it("lose nothing when one is SIGKILLed mid-load; only its requests in flight may repeat", async () => {
    const [doomed, survivor] = await setUp();
    const load = await publishSteadily(hookyard, { pushes: 1_000, perSecond: 150 }, async () => {
      await sleep(3_000);
      doomed.kill("SIGKILL");
    });
    const { expected, counts, duplicates } = await delivered(load.accepted.length);
    console.log(`two workers, one killed: expected ${expected}, delivered ${counts.size}, duplicated ${duplicates}`);

    expect(doomed.signalCode).toBe("SIGKILL");
    expect(onlyAcceptedOrUnavailable(load)).toBe(true);
    expect(counts.size).toBe(expected);
    // At least once: a repeat is a request the killed worker had sent but not booked.
    expect(duplicates).toBeLessThanOrEqual(CONCURRENCY);
    expect(troubles()).toEqual([]);
    expect(survivor.exitCode).toBe(null);
    expect(await hookyard.db.delivery.count({ where: { status: { not: "succeeded" } } })).toBe(0);
  }, 120_000);
});
