import { manifestPush, type Receiver } from "@hookyard/testkit";
import type { TestHookyard } from "./hookyard.js";

export interface LoadResult {
  /** Tags of the pushes answered 202, in order. */
  accepted: string[];
  /** Every status ingest answered, with how often. */
  statuses: Record<number, number>;
}

/**
 * Publishes tagged pushes at a steady pace, as a registry does: one envelope per push, a refused
 * one (503) sent again after a pause until it is taken. Runs `during` beside the load (the fault).
 */
export async function publishSteadily(
  hookyard: TestHookyard,
  options: { pushes: number; perSecond: number; tagPrefix?: string },
  during: () => Promise<void> = async () => {},
): Promise<LoadResult> {
  const accepted: string[] = [];
  const statuses: Record<number, number> = {};
  const started = Date.now();
  const publish = async (i: number) => {
    const tag = `${options.tagPrefix ?? "v"}${i}`;
    const envelope = manifestPush({ repository: "acme/web", tag });
    for (;;) {
      const res = await hookyard.ingestDistribution(envelope).catch(() => ({ status: 0 }));
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 202) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    accepted.push(tag);
  };
  const load = (async () => {
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < options.pushes; i++) {
      const due = started + (i * 1000) / options.perSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(publish(i));
    }
    await Promise.all(inFlight);
  })();
  await Promise.all([load, during()]);
  return { accepted, statuses };
}

/** `count` webhooks on TAG_PUSH of acme/web, told apart at the receiver by their paths /w0, /w1, ... */
export async function createWebhooks(hookyard: TestHookyard, receiver: Receiver, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await hookyard.createWebhook({
      name: `w${i}`,
      url: `${receiver.url}/w${i}`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
  }
}

/** Whether ingest only ever answered 202 or 503 (never a 500, never a dropped connection). */
export function onlyAcceptedOrUnavailable(load: LoadResult): boolean {
  return Object.keys(load.statuses).every((status) => status === "202" || status === "503");
}

/** How many times each (path, tag) arrived at a receiver whose webhooks differ by path. */
export function arrivals(receiver: Receiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of receiver.requests) {
    const key = `${r.path} ${(r.json as { contents: { tag: string } }).contents.tag}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Settings every fault test runs with. The receivers live in the test's own process, beside the API
 * and the load, and on a busy 2-core machine (CI runs two test files at once) one can take seconds
 * to answer: with the harness's 2 s delivery timeout, such an attempt times out and is rightly sent
 * again, which would read as a duplicate. A repeat these tests count must come from the fault.
 * Likewise a 1 s job lock lapses when the event loop stalls that long, and a job finishing after it
 * is reported by BullMQ; none of these tests kills a worker, so a longer lock costs them nothing.
 */
export const FAULT_TEST_ENV = { HOOKYARD_DELIVERY_TIMEOUT: "20s", HOOKYARD_JOB_LOCK: "5s" };

/** The attempts that failed (timeouts, errors), by reason: what explains a repeat. */
export async function failedAttempts(hookyard: TestHookyard): Promise<Record<string, number>> {
  const rows = await hookyard.db.deliveryAttempt.groupBy({
    by: ["error"],
    where: { error: { not: null } },
    _count: true,
  });
  return Object.fromEntries(rows.map((row) => [row.error ?? "", row._count]));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
