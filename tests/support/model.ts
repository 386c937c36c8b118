import { randomBytes } from "node:crypto";
import { newId, recordAttempts } from "@hookyard/db";
import { checkInvariants, manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import fc from "fast-check";
import { expect } from "vitest";
import { TestHookyard } from "./hookyard.js";

/*
 * Model-based tests (tests/model-*.test.ts): random sequences of what users and workers do to
 * webhooks and deliveries, run against a real Hookyard with a loopback receiver, and after each
 * step compared with a small reference model of what must be true. Each run works in a repository
 * of its own, so the runs of one Hookyard never see each other's webhooks. Two commands sent at once
 * (races) are checked against the set of end states the model allows, then the model takes the one
 * that happened.
 *
 * A failure prints its seed and path, and the commands ("w<k>" is the k-th webhook of the run,
 * counted modulo how many it has). HOOKYARD_MODEL_SEED and HOOKYARD_MODEL_PATH replay it (a race's
 * timing is real, so a race may come out the other way), HOOKYARD_MODEL_SHRINK=1 shrinks it, and
 * HOOKYARD_MODEL_WITHOUT leaves commands out to tell two failures apart.
 */

/** HOOKYARD_RETRY_SCHEDULE "50ms": a first attempt and one retry. */
export const MAX_ATTEMPTS = 2;

export const MODEL_ENV = {
  HOOKYARD_RETRY_SCHEDULE: "50ms",
  // Short, so that a test event the reconciler would fan out again is found within a run; longer
  // than a whole test send (the delivery timeout and the bookings), so that the reconciler never
  // takes a test the API is still sending for one left pending (it would cancel it).
  HOOKYARD_RECONCILE_INTERVAL: "1500ms",
  HOOKYARD_DELIVERY_TIMEOUT: "1200ms",
  HOOKYARD_AUTO_DISABLE_FAILURES: "0",
};

type Final = "succeeded" | "failed" | "canceled";

export interface ExpectedDelivery {
  status: Final;
  attempts: number;
  test: boolean;
}

export interface Hook {
  k: number;
  id: string;
  /** The receiver's paths for this webhook start with it; each URL change gets a new path under it. */
  prefix: string;
  version: number;
  name: string;
  enabled: boolean;
  deleted: boolean;
  /** Whether its receiver answers 200 (else 500). */
  healthy: boolean;
  /** Its deliveries in id order, as they must be once nothing is pending. */
  deliveries: ExpectedDelivery[];
  /** Requests its receiver must have got. */
  requests: number;
  /** Its row as DELETE left it: nothing may change it since. */
  frozen: Record<string, unknown> | null;
}

export interface Model {
  hooks: Hook[];
  /** TAG_PUSH events pushed to the run's repository. */
  events: number;
  /** Requests the chain's webhook (a bystander that is never tested) must have got. */
  bystanderRequests: number;
}

/** The real side: one Hookyard and receiver for the whole file, a repository per run. */
export interface Real {
  hy: TestHookyard;
  receiver: Receiver;
  health: Map<string, boolean>;
  run: number;
  repository: string;
  /** Before the run's first event: the window recover asks for. */
  since: string;
  bystander: { id: string; prefix: string } | null;
}

export interface Harness {
  hy: TestHookyard;
  receiver: Receiver;
  health: Map<string, boolean>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const health = new Map<string, boolean>();
  const receiver = await startReceiver((req) => {
    const prefix = req.path.slice(0, req.path.indexOf("/", req.path.indexOf("/w") + 1) + 1);
    return { status: health.get(prefix) === false ? 500 : 200 };
  });
  const hy = await TestHookyard.start({ env: MODEL_ENV });
  return {
    hy,
    receiver,
    health,
    close: async () => {
      await hy.close();
      await receiver.close();
    },
  };
}

let runs = 0;

/** A fresh run: its repository, `hooks` webhooks, and with `chain` a chain of one bystander webhook there. */
export async function setUpRun(harness: Harness, options: { hooks: number; chain: boolean }) {
  runs += 1;
  const run = runs;
  const repository = `model/run-${run}-${randomBytes(3).toString("hex")}`;
  const real: Real = {
    ...harness,
    run,
    repository,
    since: new Date(Date.now() - 1_000).toISOString(),
    bystander: null,
  };
  const model: Model = { hooks: [], events: 0, bystanderRequests: 0 };
  for (let i = 0; i < options.hooks; i++) await createHook(model, real);
  if (options.chain) {
    const prefix = `/r${run}/wb/`;
    const bystander = await real.hy.createWebhook({
      name: "bystander",
      url: `${real.receiver.url}${prefix}v0`,
      events: ["TAG_PUSH"],
      repository,
      format: "dockerhub",
    });
    const chain = await real.hy.request("POST", "/api/v1/chains", {
      body: { name: "bystander chain", repository, events: ["TAG_PUSH"], webhooks: [bystander.id] },
    });
    expect(chain.status).toBe(201);
    real.bystander = { id: bystander.id, prefix };
  }
  return { model, real };
}

export async function createHook(model: Model, real: Real): Promise<void> {
  const k = model.hooks.length;
  const prefix = `/r${real.run}/w${k}/`;
  const name = `hook ${k}`;
  const created = await real.hy.createWebhook({
    name,
    url: `${real.receiver.url}${prefix}v0`,
    events: ["TAG_PUSH"],
    repository: real.repository,
  });
  model.hooks.push({
    k,
    id: created.id,
    prefix,
    version: 0,
    name,
    enabled: true,
    deleted: false,
    healthy: true,
    deliveries: [],
    requests: 0,
    frozen: null,
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a delivery comes to when sent to a webhook whose receiver is (un)healthy. */
export function sentTo(hook: Hook, test = false): ExpectedDelivery {
  if (test) return { status: hook.healthy ? "succeeded" : "failed", attempts: 1, test };
  return hook.healthy ? { status: "succeeded", attempts: 1, test } : { status: "failed", attempts: MAX_ATTEMPTS, test };
}

interface DeliveryRow {
  id: string;
  webhookId: string;
  status: string;
  attemptCount: number;
  test: boolean;
}

export async function deliveriesOf(real: Real, webhookId: string): Promise<DeliveryRow[]> {
  return real.hy.db.delivery.findMany({
    where: { webhookId },
    orderBy: { id: "asc" },
    select: { id: true, webhookId: true, status: true, attemptCount: true, test: true },
  });
}

export function requestsTo(real: Real, prefix: string): number {
  return real.receiver.requests.filter((r) => r.path.startsWith(prefix)).length;
}

/** The webhook's row, as far as DELETE must freeze it. */
export async function frozenRow(real: Real, id: string): Promise<Record<string, unknown>> {
  const row = await real.hy.db.webhook.findUniqueOrThrow({ where: { id } });
  return {
    name: row.name,
    url: row.url,
    events: row.events,
    secret: row.secret,
    previousSecret: row.previousSecret,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    deletedAt: row.deletedAt?.toISOString() ?? null,
  };
}

/** Waits until nothing of the run is pending and every delivery the model expects exists. */
async function settle(model: Model, real: Real): Promise<void> {
  const ids = model.hooks.map((h) => h.id);
  await waitFor(
    async () => {
      const rows = await real.hy.db.delivery.findMany({
        where: { webhookId: { in: ids } },
        select: { webhookId: true, status: true },
      });
      if (rows.some((r) => r.status === "pending")) return false;
      for (const hook of model.hooks) {
        if (rows.filter((r) => r.webhookId === hook.id).length < hook.deliveries.length) return false;
        if (requestsTo(real, hook.prefix) < hook.requests) return false;
      }
      if (real.bystander && requestsTo(real, real.bystander.prefix) < model.bystanderRequests) return false;
      const events = await real.hy.db.event.count({
        where: { repository: real.repository, type: "TAG_PUSH", source: { notIn: ["test", "hookyard"] } },
      });
      return events >= model.events;
    },
    { timeoutMs: 8_000, intervalMs: 25, what: "the run to settle" },
  ).catch(() => {
    // Compared below all the same: the difference says more than a time-out.
  });
}

/** Everything the model says, compared with the real Hookyard; then every invariant of its tables. */
export async function verify(model: Model, real: Real): Promise<void> {
  await settle(model, real);
  for (const hook of model.hooks) {
    const what = `webhook ${hook.k} (${hook.id})`;
    const got = await real.hy.request("GET", `/api/v1/webhooks/${hook.id}`);
    if (hook.deleted) {
      expect(got.status, `${what}: deleted, so 404`).toBe(404);
      const row = await frozenRow(real, hook.id);
      expect(row.enabled, `${what}: deleted, so never enabled`).toBe(false);
      expect(row, `${what}: deleted, so never changed`).toEqual(hook.frozen);
    } else {
      expect(got.status, what).toBe(200);
      expect({ enabled: got.json.enabled, name: got.json.name }, what).toEqual({
        enabled: hook.enabled,
        name: hook.name,
      });
    }
    const rows = await deliveriesOf(real, hook.id);
    expect(
      rows.map((r) => ({ status: r.status, attempts: r.attemptCount, test: r.test })),
      `${what}: its deliveries`,
    ).toEqual(hook.deliveries);
    expect(requestsTo(real, hook.prefix), `${what}: requests its receiver got`).toBe(hook.requests);
  }
  if (real.bystander) {
    expect(requestsTo(real, real.bystander.prefix), "the chain's bystander webhook: requests its receiver got").toBe(
      model.bystanderRequests,
    );
  }
  expect(await checkInvariants(real.hy.database.url), "docs/invariants.md").toEqual([]);
}

/** A command: `pre` says when it may run (on the model), `act` runs it and moves the model. */
export class Step implements fc.AsyncCommand<Model, Real> {
  constructor(
    private readonly label: string,
    private readonly pre: (model: Model) => boolean,
    private readonly act: (model: Model, real: Real) => Promise<void>,
  ) {}
  check(model: Readonly<Model>): boolean {
    return this.pre(model as Model);
  }
  async run(model: Model, real: Real): Promise<void> {
    await this.act(model, real);
    await verify(model, real);
  }
  toString(): string {
    return this.label;
  }
}

const hookAt = (model: Model, k: number) => model.hooks[k % Math.max(model.hooks.length, 1)];
const live = (hook: Hook | undefined): hook is Hook => hook !== undefined && !hook.deleted;

const webhookPath = (hook: Hook) => `/api/v1/webhooks/${hook.id}`;

/** Creates one more webhook (up to 3 a run). */
export const create = fc.constant(
  new Step(
    "create",
    (m) => m.hooks.length < 3,
    (m, r) => createHook(m, r),
  ),
);

/** A tagged push to the run's repository: every live, enabled webhook gets it, the others miss it. */
export const push = fc.constant(
  new Step(
    "push",
    () => true,
    async (m, r) => {
      const res = await r.hy.ingestDistribution(manifestPush({ repository: r.repository, tag: `v${m.events + 1}` }));
      expect(res.status, "push").toBe(202);
      m.events += 1;
      for (const hook of m.hooks) {
        if (hook.deleted || !hook.enabled) continue;
        const delivery = sentTo(hook);
        hook.deliveries.push(delivery);
        hook.requests += delivery.attempts;
      }
      if (r.bystander) m.bystanderRequests += 1;
    },
  ),
);

const secret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** PATCH of any of name, url, secret (set or removed) and enabled; 404 once deleted. */
export const patch = fc
  .record(
    {
      k: fc.nat(2),
      name: fc.option(fc.constantFrom("renamed", "again", "hook"), { nil: undefined }),
      url: fc.boolean(),
      secret: fc.option(fc.boolean(), { nil: undefined }),
      enabled: fc.option(fc.boolean(), { nil: undefined }),
    },
    { requiredKeys: ["k", "url"] },
  )
  .map(
    (p) =>
      new Step(
        `patch(w${p.k}, ${JSON.stringify({ ...p, k: undefined })})`,
        (m) => m.hooks.length > 0,
        async (m, r) => {
          const hook = hookAt(m, p.k) as Hook;
          const body: Record<string, unknown> = {};
          if (p.name !== undefined) body.name = `${p.name} ${hook.k}`;
          if (p.url) body.url = `${r.receiver.url}${hook.prefix}v${hook.version + 1}`;
          if (p.secret !== undefined) body.secret = p.secret ? secret() : null;
          if (p.enabled !== undefined) body.enabled = p.enabled;
          const res = await r.hy.request("PATCH", webhookPath(hook), { body });
          if (hook.deleted) {
            expect(res.status, "PATCH of a deleted webhook").toBe(404);
            return;
          }
          expect(res.status, `PATCH ${JSON.stringify(res.json)}`).toBe(200);
          if (typeof body.name === "string") hook.name = body.name;
          if (p.url) hook.version += 1;
          if (p.enabled !== undefined) hook.enabled = p.enabled;
        },
      ),
  );

/** Pause (PATCH enabled: false) or resume (enabled: true). */
export const pauseOrResume = fc.record({ k: fc.nat(2), enabled: fc.boolean() }).map(
  ({ k, enabled }) =>
    new Step(
      `${enabled ? "resume" : "pause"}(w${k})`,
      (m) => m.hooks.length > 0,
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        const res = await r.hy.request("PATCH", webhookPath(hook), { body: { enabled } });
        expect(res.status).toBe(hook.deleted ? 404 : 200);
        if (!hook.deleted) hook.enabled = enabled;
      },
    ),
);

async function deleteHook(hook: Hook, real: Real, expectStatus = true) {
  const res = await real.hy.request("DELETE", webhookPath(hook));
  if (expectStatus) expect(res.status, "DELETE").toBe(hook.deleted ? 404 : 204);
  return res;
}

export const remove = fc.nat(2).map(
  (k) =>
    new Step(
      `delete(w${k})`,
      (m) => m.hooks.length > 0,
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        const wasDeleted = hook.deleted;
        await deleteHook(hook, r);
        if (wasDeleted) return;
        hook.deleted = true;
        hook.enabled = false;
        hook.frozen = await frozenRow(r, hook.id);
      },
    ),
);

/** POST /webhooks/:id/test: one test delivery, sent once, to this webhook only (paused or not). */
export const testSend = fc.nat(2).map(
  (k) =>
    new Step(
      `test(w${k})`,
      (m) => m.hooks.length > 0,
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        const res = await r.hy.request("POST", `${webhookPath(hook)}/test`);
        if (hook.deleted) {
          expect(res.status, "test of a deleted webhook").toBe(404);
          return;
        }
        expect(res.status, `test ${JSON.stringify(res.json)}`).toBe(200);
        hook.deliveries.push(sentTo(hook, true));
        hook.requests += 1;
      },
    ),
);

export const rotate = fc.record({ k: fc.nat(2), grace: fc.constantFrom("0s", "1h") }).map(
  ({ k, grace }) =>
    new Step(
      `rotate(w${k}, ${grace})`,
      (m) => m.hooks.length > 0,
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        const res = await r.hy.request("POST", `${webhookPath(hook)}/secret/rotate`, { body: { grace } });
        expect(res.status, `rotate ${JSON.stringify(res.json)}`).toBe(hook.deleted ? 404 : 200);
      },
    ),
);

/** Whether its receiver answers 200 from now on (else 500). */
export const setHealth = fc.record({ k: fc.nat(2), healthy: fc.boolean() }).map(
  ({ k, healthy }) =>
    new Step(
      `${healthy ? "heal" : "break"}(w${k})`,
      (m) => m.hooks.length > 0,
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        hook.healthy = healthy;
        r.health.set(hook.prefix, healthy);
      },
    ),
);

/** POST /deliveries/:id/redeliver of the webhook's i-th delivery. */
export const redeliver = fc.record({ k: fc.nat(2), i: fc.nat(20) }).map(
  ({ k, i }) =>
    new Step(
      `redeliver(w${k}, #${i})`,
      (m) => m.hooks.some((h) => h.deliveries.length > 0),
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        if (hook.deliveries.length === 0) return;
        const at = i % hook.deliveries.length;
        const rows = await deliveriesOf(r, hook.id);
        const row = rows[at] as DeliveryRow;
        const expected = hook.deliveries[at] as ExpectedDelivery;
        const res = await r.hy.request("POST", `/api/v1/deliveries/${row.id}/redeliver`);
        if (hook.deleted) return void expect(res.status, "redeliver, webhook deleted").toBe(404);
        if (expected.test) return void expect(res.status, "redeliver of a test").toBe(409);
        if (!hook.enabled) return void expect(res.status, "redeliver, webhook paused").toBe(409);
        expect(res.status, `redeliver ${JSON.stringify(res.json)}`).toBe(202);
        const again = sentTo(hook);
        hook.deliveries[at] = { ...again, attempts: expected.attempts + again.attempts };
        hook.requests += again.attempts;
      },
    ),
);

/** POST /webhooks/:id/recover since the run began: failed deliveries again, missed events now. */
export const recover = fc.nat(2).map(
  (k) =>
    new Step(
      `recover(w${k})`,
      (m) => m.hooks.length > 0,
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        const res = await r.hy.request("POST", `${webhookPath(hook)}/recover`, { body: { since: r.since } });
        if (hook.deleted) return void expect(res.status, "recover, webhook deleted").toBe(404);
        if (!hook.enabled) return void expect(res.status, "recover, webhook paused").toBe(409);
        const failed = hook.deliveries.filter((d) => !d.test && d.status === "failed").length;
        const missed = m.events - hook.deliveries.filter((d) => !d.test).length;
        expect(res.status).toBe(202);
        expect(res.json, "recover's counts").toEqual({ count: failed + missed, redelivered: failed, missed });
        hook.deliveries = hook.deliveries.map((d) => {
          if (d.test || d.status !== "failed") return d;
          const again = sentTo(hook);
          hook.requests += again.attempts;
          return { ...again, attempts: d.attempts + again.attempts };
        });
        for (let n = 0; n < missed; n++) {
          const delivery = sentTo(hook);
          hook.deliveries.push(delivery);
          hook.requests += delivery.attempts;
        }
      },
    ),
);

/**
 * The result of an attempt booked late (a worker that stalled, whose job was taken over, books what
 * it sent after the delivery finished): a finished delivery keeps its status. The attempt may be
 * kept in its history (the request did go out) or left out; nothing is sent again.
 */
export const lateAttempt = fc.record({ k: fc.nat(2), i: fc.nat(20), succeeded: fc.boolean() }).map(
  ({ k, i, succeeded }) =>
    new Step(
      `lateAttempt(w${k}, #${i}, ${succeeded ? "200" : "500"})`,
      (m) => m.hooks.some((h) => h.deliveries.some((d) => !d.test)),
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        // Not a test: the API sends a test once, itself; no worker has an attempt of it to book.
        const candidates = hook.deliveries.map((d, at) => ({ d, at })).filter(({ d }) => !d.test);
        if (candidates.length === 0) return;
        const { at } = candidates[i % candidates.length] as { at: number };
        const row = (await deliveriesOf(r, hook.id))[at] as DeliveryRow;
        const finished = await r.hy.db.delivery.findUniqueOrThrow({ where: { id: row.id } });
        expect(finished.status, "a late result comes for a finished delivery").not.toBe("pending");
        await recordAttempts(
          r.hy.db,
          [
            {
              deliveryId: row.id,
              attemptId: newId("attempt"),
              // It went out while the delivery was still pending; its answer is booked only now.
              startedAt: new Date((finished.completedAt as Date).getTime() - 5),
              durationMs: 5,
              statusCode: succeeded ? 200 : 500,
              error: succeeded ? null : "HTTP 500",
              requestHeaders: {},
              responseHeaders: {},
              responseBody: "",
              succeeded,
              final: false,
              disableWebhook: null,
            },
          ],
          MAX_ATTEMPTS,
        );
        const before = hook.deliveries[at] as ExpectedDelivery;
        const now = await r.hy.db.delivery.findUniqueOrThrow({ where: { id: row.id } });
        expect(now.status, `delivery ${row.id}: a late result moves no finished delivery`).toBe(before.status);
        expect([before.attempts, before.attempts + 1], `delivery ${row.id}: attempts`).toContain(now.attemptCount);
        hook.deliveries[at] = { ...before, attempts: now.attemptCount };
      },
    ),
);

/** 0-10 ms between two commands sent at once, and which goes first. */
const race = { k: fc.nat(2), gapMs: fc.integer({ min: 0, max: 10 }), deleteFirst: fc.boolean() };

/** Sends `a` and `b` at once, the second `gapMs` after the first (`a` first when `aFirst`); their answers in a, b order. */
async function atOnce<A, B>(aFirst: boolean, a: () => Promise<A>, b: () => Promise<B>, gapMs: number): Promise<[A, B]> {
  if (aFirst) return Promise.all([a(), sleep(gapMs).then(b)]);
  const [second, first] = await Promise.all([sleep(gapMs).then(a), b()]);
  return [second, first];
}

/** DELETE and PATCH {"enabled": true} at once: whichever wins, the webhook ends deleted and disabled. */
export const deleteWhileEnabling = fc.record(race).map(
  ({ k, gapMs, deleteFirst }) =>
    new Step(
      `race(delete, enable)(w${k}, ${deleteFirst ? "delete" : "enable"} first, ${gapMs} ms)`,
      (m) => m.hooks.some(live),
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        if (hook.deleted) return;
        const del = () => deleteHook(hook, r, false);
        const enable = () => r.hy.request("PATCH", webhookPath(hook), { body: { enabled: true } });
        const [d, e] = await atOnce(deleteFirst, del, enable, gapMs);
        expect(d.status, "DELETE").toBe(204);
        expect([200, 404], "PATCH enabled: true").toContain(e.status);
        hook.deleted = true;
        hook.enabled = false;
        const row = await frozenRow(r, hook.id);
        expect(row.enabled, "deleted and enabled at once").toBe(false);
        hook.frozen = row;
      },
    ),
);

/** DELETE and a test send at once: the test is sent (and kept) or refused; nothing else is sent. */
export const deleteWhileTesting = fc.record(race).map(
  ({ k, gapMs, deleteFirst }) =>
    new Step(
      `race(delete, test)(w${k}, ${deleteFirst ? "delete" : "test"} first, ${gapMs} ms)`,
      (m) => m.hooks.some(live),
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        if (hook.deleted) return;
        const before = (await deliveriesOf(r, hook.id)).length;
        const del = () => deleteHook(hook, r, false);
        const test = () => r.hy.request("POST", `${webhookPath(hook)}/test`);
        const [d, t] = await atOnce(deleteFirst, del, test, gapMs);
        expect(d.status, "DELETE").toBe(204);
        expect([200, 404], "test").toContain(t.status);
        hook.deleted = true;
        hook.enabled = false;
        hook.frozen = await frozenRow(r, hook.id);
        const rows = await deliveriesOf(r, hook.id);
        expect(rows.length, "deliveries after the race").toBe(before + (t.status === 200 ? 1 : 0));
        if (t.status === 200) {
          const last = rows.at(-1) as DeliveryRow;
          const outcome = { status: last.status, attempts: last.attemptCount, test: last.test };
          // Sent and booked before the delete, or canceled by it (its booking then refused).
          expect(
            [
              { status: "succeeded", attempts: 1, test: true },
              { status: "failed", attempts: 1, test: true },
              { status: "canceled", attempts: 0, test: true },
              // Canceled by the delete while it was out; what it sent is kept in its history.
              { status: "canceled", attempts: 1, test: true },
            ],
            `the test's delivery ${last.id}`,
          ).toContainEqual(outcome);
          hook.deliveries.push(outcome as ExpectedDelivery);
          hook.requests += 1;
        }
      },
    ),
);

/** Pause and a redelivery at once: the redelivery is refused, or sent, or canceled by the pause. */
export const pauseWhileRedelivering = fc.record({ ...race, i: fc.nat(20) }).map(
  ({ k, gapMs, deleteFirst: pauseFirst, i }) =>
    new Step(
      `race(pause, redeliver)(w${k}, #${i}, ${pauseFirst ? "pause" : "redeliver"} first, ${gapMs} ms)`,
      (m) => m.hooks.some((h) => live(h) && h.enabled && h.deliveries.some((d) => !d.test)),
      async (m, r) => {
        const hook = hookAt(m, k) as Hook;
        const candidates = hook.deliveries.map((d, at) => ({ d, at })).filter(({ d }) => !d.test);
        if (hook.deleted || !hook.enabled || candidates.length === 0) return;
        const { d: expected, at } = candidates[i % candidates.length] as { d: ExpectedDelivery; at: number };
        const row = (await deliveriesOf(r, hook.id))[at] as DeliveryRow;
        const pause = () => r.hy.request("PATCH", webhookPath(hook), { body: { enabled: false } });
        const again = () => r.hy.request("POST", `/api/v1/deliveries/${row.id}/redeliver`);
        const [p, d] = await atOnce(pauseFirst, pause, again, gapMs);
        expect(p.status, "pause").toBe(200);
        expect([202, 409], `redeliver ${JSON.stringify(d.json)}`).toContain(d.status);
        hook.enabled = false;
        if (d.status === 409) return;
        await waitFor(
          async () => (await r.hy.db.delivery.findUniqueOrThrow({ where: { id: row.id } })).status !== "pending",
          { timeoutMs: 8_000, what: "the redelivery to end" },
        );
        const now = await r.hy.db.delivery.findUniqueOrThrow({ where: { id: row.id } });
        const made = now.attemptCount - expected.attempts;
        const sent = sentTo(hook);
        // Sent before the pause took (the whole series), or canceled part way (its worker found it paused).
        const allowed =
          (now.status === sent.status && made === sent.attempts) ||
          (now.status === "canceled" && made >= 0 && made <= MAX_ATTEMPTS);
        expect(allowed, `redelivery ended ${now.status} after ${made} more attempts`).toBe(true);
        hook.deliveries[at] = { status: now.status as Final, attempts: now.attemptCount, test: false };
        hook.requests += made;
      },
    ),
);

/**
 * The commands to draw from, less those named in HOOKYARD_MODEL_WITHOUT (comma-separated, e.g.
 * "lateAttempt,chain"): to tell apart which of two known failures a run hits, never to make it green.
 */
export function drawn(commands: Record<string, fc.Arbitrary<Step>>, weights: Record<string, number> = {}) {
  const left = Object.entries(commands).filter(([name]) => !leftOut(name));
  return left.flatMap(([name, arbitrary]) => Array<fc.Arbitrary<Step>>(weights[name] ?? 1).fill(arbitrary));
}

export function leftOut(name: string): boolean {
  return (process.env.HOOKYARD_MODEL_WITHOUT ?? "").split(",").includes(name);
}

/** Runs the property with a seed that is printed, and can be set again to replay a failure. */
export async function assertModel<T extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IAsyncPropertyWithHooks<T>,
  numRuns: number,
): Promise<void> {
  const seed = Number(process.env.HOOKYARD_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const path = process.env.HOOKYARD_MODEL_PATH;
  const without = process.env.HOOKYARD_MODEL_WITHOUT ? `, without ${process.env.HOOKYARD_MODEL_WITHOUT}` : "";
  console.log(
    `${name}: seed ${seed}${without} (replay: HOOKYARD_MODEL_SEED=${seed}${path ? ` HOOKYARD_MODEL_PATH=${path}` : ""})`,
  );
  await fc.assert(property, {
    seed,
    numRuns,
    ...(path ? { path } : {}),
    // Shrinking a real Hookyard's run takes minutes; ask for it when replaying a failure.
    endOnFailure: !process.env.HOOKYARD_MODEL_SHRINK,
    verbose: true,
  });
}
