import type { ChildProcess } from "node:child_process";
import { manifestPush, type Receiver, type Reply, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/** A real receiver that notes when each request reached it (its whole body read), by its clock. */
async function timedReceiver(reply: (n: number) => Reply = () => ({ status: 200 })) {
  const times: number[] = [];
  const receiver = await startReceiver(() => {
    times.push(Date.now());
    return reply(times.length);
  });
  return Object.assign(receiver, { times });
}

/**
 * The most requests any span of `windowMs` saw (half-open: [t, t + windowMs)), the guarantee
 * decision 0021 documents for a rateLimit: at most rateLimit in any one-second window.
 */
function busiestWindow(times: readonly number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Pushes `count` tags of a repository at once, as a busy registry does. */
async function burst(hookyard: TestHookyard, repository: string, count: number, prefix = "t"): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      hookyard.ingestDistribution(manifestPush({ repository, tag: `${prefix}${i}` })),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(new Array(count).fill(202));
}

async function attemptNumbers(hookyard: TestHookyard, webhookId: string): Promise<number[]> {
  const attempts = await hookyard.db.deliveryAttempt.findMany({ where: { delivery: { webhookId } } });
  return attempts.map((a) => a.n);
}

describe("per-webhook rate limit", () => {
  let hookyard: TestHookyard;
  const receivers: Receiver[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGTERM");
    await hookyard?.close();
    for (const receiver of receivers.splice(0)) await receiver.close();
  });

  it("is set, shown and changed through the API, and refused with a 400 naming it when it is not 1 to 10000 or null", async () => {
    hookyard = await TestHookyard.start({ worker: false });
    const base = { name: "chat", url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"], repository: "acme/web" };
    const created = await hookyard.request("POST", "/api/v1/webhooks", { body: { ...base, rateLimit: 10 } });
    expect(created.status).toBe(201);
    expect(created.json.rateLimit).toBe(10);
    const plain = await hookyard.createWebhook({ ...base, name: "plain" });
    expect((await hookyard.request("GET", `/api/v1/webhooks/${plain.id}`)).json.rateLimit).toBeNull();

    for (const rateLimit of [0, -1, 10_001, 1.5, "5", true]) {
      const refused = await hookyard.request("POST", "/api/v1/webhooks", { body: { ...base, rateLimit } });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe("invalid_request");
      expect(refused.json.error.message).toMatch(/^rateLimit/);
      const patched = await hookyard.request("PATCH", `/api/v1/webhooks/${created.json.id}`, { body: { rateLimit } });
      expect(patched.status).toBe(400);
      expect(patched.json.error.message).toMatch(/^rateLimit/);
    }
    // A refused change changed nothing.
    expect((await hookyard.request("GET", `/api/v1/webhooks/${created.json.id}`)).json.rateLimit).toBe(10);

    const changed = await hookyard.request("PATCH", `/api/v1/webhooks/${created.json.id}`, {
      body: { rateLimit: 10_000 },
    });
    expect(changed.status).toBe(200);
    expect(changed.json.rateLimit).toBe(10_000);
    const lifted = await hookyard.request("PATCH", `/api/v1/webhooks/${created.json.id}`, {
      body: { rateLimit: null },
    });
    expect(lifted.json.rateLimit).toBeNull();
    const list = await hookyard.request("GET", "/api/v1/webhooks");
    expect(list.json.items.map((w: { rateLimit: number | null }) => w.rateLimit)).toEqual([null, null]);
  }, 60_000);

  it("a burst of 60 to a webhook limited to 5 a second: no second sees more than 5, all arrive on their first attempt, and an unlimited webhook is not held up", async () => {
    const limited = await timedReceiver();
    const free = await timedReceiver();
    receivers.push(limited, free);
    hookyard = await TestHookyard.start();
    const slow = await hookyard.createWebhook({
      name: "chat",
      url: `${limited.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      rateLimit: 5,
    });
    const fast = await hookyard.createWebhook({
      name: "ci",
      url: `${free.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    await burst(hookyard, "acme/web", 60);
    await free.waitForRequests(60, 30_000);
    // The limited webhook needs at least 11 s for 60 (5 a second); the other had all of its own
    // while the limited one had sent at most half of its.
    expect(limited.times.length).toBeLessThanOrEqual(30);

    await limited.waitForRequests(60, 60_000);
    await hookyard.settledDeliveries(slow.id, 60, 30_000);
    expect(busiestWindow(limited.times)).toBeLessThanOrEqual(5);
    // Waiting spent no attempt: each delivery went out once, on its first.
    expect(await attemptNumbers(hookyard, slow.id)).toEqual(new Array(60).fill(1));
    expect(new Set(limited.requests.map((r) => r.headers["webhook-id"])).size).toBe(60);
    expect(await attemptNumbers(hookyard, fast.id)).toEqual(new Array(60).fill(1));
  }, 120_000);

  it("two worker processes share one limit", async () => {
    const limited = await timedReceiver();
    receivers.push(limited);
    hookyard = await TestHookyard.start({ worker: false });
    const hook = await hookyard.createWebhook({
      name: "chat",
      url: `${limited.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      rateLimit: 4,
    });
    // Each worker logs its booked attempts at debug, which says which process sent what.
    for (let i = 0; i < 2; i++) children.push(hookyard.spawnWorker({ LOG_LEVEL: "debug" }));
    await waitFor(() => hookyard.childLogLines.filter((l) => l.message === "worker started").length === 2, {
      timeoutMs: 30_000,
      what: "two workers started",
    });

    await burst(hookyard, "acme/web", 32);
    await limited.waitForRequests(32, 60_000);
    await hookyard.settledDeliveries(hook.id, 32, 30_000);
    expect(busiestWindow(limited.times)).toBeLessThanOrEqual(4);
    expect(await attemptNumbers(hookyard, hook.id)).toEqual(new Array(32).fill(1));
    const senders = new Set(hookyard.childLogLines.filter((l) => l.message === "delivery attempt").map((l) => l.pid));
    expect(senders.size).toBe(2);
  }, 120_000);

  it("a 429 with Retry-After: 2 holds that webhook alone for 2 s; the held delivery spends no attempt", async () => {
    const limited = await timedReceiver((n) =>
      n === 1 ? { status: 429, headers: { "retry-after": "2" } } : { status: 200 },
    );
    const other = await timedReceiver();
    receivers.push(limited, other);
    hookyard = await TestHookyard.start();
    const busy = await hookyard.createWebhook({
      name: "chat",
      url: `${limited.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const ok = await hookyard.createWebhook({
      name: "ci",
      url: `${other.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    await burst(hookyard, "acme/web", 1, "first");
    await limited.waitForRequests(1);
    const refusedAt = limited.times[0] as number;
    await waitFor(async () => (await attemptNumbers(hookyard, busy.id)).length === 1, {
      timeoutMs: 10_000,
      what: "the 429 booked",
    });
    await burst(hookyard, "acme/web", 1, "second");
    await other.waitForRequests(2);
    // The other webhook got the second push while the first was still held.
    expect(limited.times.length).toBe(1);

    await limited.waitForRequests(3, 15_000);
    for (const at of limited.times.slice(1)) expect(at - refusedAt).toBeGreaterThanOrEqual(2_000);
    await hookyard.settledDeliveries(busy.id, 2);
    // The 429 was an attempt (it failed) and its retry the second; the second push waited without one.
    expect((await attemptNumbers(hookyard, busy.id)).sort()).toEqual([1, 1, 2]);
    expect(await attemptNumbers(hookyard, ok.id)).toEqual([1, 1]);
  }, 60_000);

  it("PATCH rateLimit null lifts the limit", async () => {
    const limited = await timedReceiver();
    receivers.push(limited);
    hookyard = await TestHookyard.start();
    const hook = await hookyard.createWebhook({
      name: "chat",
      url: `${limited.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      rateLimit: 1,
    });
    await burst(hookyard, "acme/web", 3, "limited");
    await limited.waitForRequests(3, 15_000);
    expect(busiestWindow(limited.times)).toBe(1);

    const lifted = await hookyard.request("PATCH", `/api/v1/webhooks/${hook.id}`, { body: { rateLimit: null } });
    expect(lifted.json.rateLimit).toBeNull();
    const before = limited.times.length;
    await burst(hookyard, "acme/web", 10, "free");
    await limited.waitForRequests(before + 10, 15_000);
    // Unlimited, ten pushes at once arrive together, not one a second.
    expect(busiestWindow(limited.times.slice(before))).toBeGreaterThan(1);
    expect(await attemptNumbers(hookyard, hook.id)).toEqual(new Array(13).fill(1));
  }, 60_000);
});
