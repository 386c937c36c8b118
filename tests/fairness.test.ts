import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { laneCaps } from "@hookyard/core";
import { manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/** A receiver that takes requests and answers none until released; then answers all, and every later one, 200. */
async function startStuckReceiver() {
  const held: ServerResponse[] = [];
  let requests = 0;
  let released = false;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      if (released) res.writeHead(200).end();
      else held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    held: () => held.length,
    release() {
      released = true;
      for (const res of held.splice(0)) res.writeHead(200).end();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const CONCURRENCY = 10;
const PER_WEBHOOK = 3;
/** What all slow webhooks together may hold of the worker (core admission.ts); less than one webhook's share here. */
const { slowCap: SLOW_CAP, unknownCap: UNKNOWN_CAP } = laneCaps(CONCURRENCY);

describe("fairness between webhooks", () => {
  let hookyard: TestHookyard;
  let healthy: Receiver;
  let stuck: Awaited<ReturnType<typeof startStuckReceiver>>;
  afterEach(async () => {
    stuck?.release();
    await hookyard?.close();
    await healthy?.close();
    await stuck?.close();
  });

  it("a receiver that never answers holds only the slow lane's share of the worker; the others keep flowing and it loses no attempt", async () => {
    healthy = await startReceiver(() => ({ status: 200 }));
    stuck = await startStuckReceiver();
    hookyard = await TestHookyard.start({
      env: {
        HOOKYARD_WORKER_CONCURRENCY: String(CONCURRENCY),
        HOOKYARD_WEBHOOK_CONCURRENCY: String(PER_WEBHOOK),
        // Longer than this test takes: a held request is never given up on while the others flow.
        HOOKYARD_DELIVERY_TIMEOUT: "60s",
        HOOKYARD_JOB_LOCK: "5s",
      },
    });
    const stuckHook = await hookyard.createWebhook({
      name: "stuck",
      url: `${stuck.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/stuck",
    });
    for (const name of ["a", "b"]) {
      await hookyard.createWebhook({
        name,
        url: `${healthy.url}/${name}`,
        events: ["TAG_PUSH"],
        repository: "acme/web",
      });
    }

    // More deliveries for the stuck webhook than the worker has slots in all.
    const stuckPushes = 3 * CONCURRENCY;
    for (let i = 0; i < stuckPushes; i++) {
      expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/stuck", tag: `s${i}` }))).status).toBe(
        202,
      );
    }
    await waitFor(() => stuck.held() >= SLOW_CAP, {
      timeoutMs: 15_000,
      what: "the slow lane's share in flight",
    });

    const healthyPushes = 20;
    for (let i = 0; i < healthyPushes; i++) {
      expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: `h${i}` }))).status).toBe(
        202,
      );
    }
    await healthy.waitForRequests(2 * healthyPushes, 30_000);

    // Every healthy delivery went out while the stuck webhook still held exactly the slow lane.
    expect(stuck.requests()).toBe(SLOW_CAP);
    expect(stuck.held()).toBe(SLOW_CAP);
    const stuckPending = await hookyard.db.delivery.count({ where: { webhookId: stuckHook.id, status: "pending" } });
    // Those in their first attempt, sent by fan-out, are written when answered (decision 0015).
    expect(stuckPending).toBeGreaterThanOrEqual(stuckPushes - SLOW_CAP);
    expect(await hookyard.db.deliveryAttempt.count({ where: { delivery: { webhookId: stuckHook.id } } })).toBe(0);

    // Once it answers, each of its deliveries goes out once, on its first attempt: being held back
    // (many times over, each a few tens of milliseconds) spent none of them.
    stuck.release();
    await hookyard.settledDeliveries(stuckHook.id, stuckPushes, 30_000);
    const attempts = await hookyard.db.deliveryAttempt.findMany({ where: { delivery: { webhookId: stuckHook.id } } });
    expect(attempts.map((a) => a.n)).toEqual(new Array(stuckPushes).fill(1));
    expect(attempts.every((a) => a.statusCode === 200)).toBe(true);
    expect(stuck.requests()).toBe(stuckPushes);
  }, 90_000);

  it("many receivers that never answer hold no more than the slow lane together; a healthy webhook's retries keep flowing", async () => {
    // The healthy receiver fails each delivery's first attempt, so its retries are delivery jobs
    // and compete with the dead webhooks' jobs for the worker's slots.
    const seen = new Set<string>();
    healthy = await startReceiver((req) => {
      const id = String(req.headers["webhook-id"]);
      if (seen.has(id)) return { status: 200 };
      seen.add(id);
      return { status: 503 };
    });
    stuck = await startStuckReceiver();
    hookyard = await TestHookyard.start({
      env: {
        HOOKYARD_WORKER_CONCURRENCY: String(CONCURRENCY),
        HOOKYARD_WEBHOOK_CONCURRENCY: "2",
        HOOKYARD_DELIVERY_TIMEOUT: "60s",
        HOOKYARD_RETRY_SCHEDULE: "100ms",
        HOOKYARD_JOB_LOCK: "5s",
      },
    });
    // Five dead webhooks, each allowed 2 of the worker's 10: together they could take all of it.
    const dead = 5;
    for (let i = 0; i < dead; i++) {
      await hookyard.createWebhook({
        name: `dead${i}`,
        url: `${stuck.url}/d${i}`,
        events: ["TAG_PUSH"],
        repository: "acme/dead",
      });
    }
    const ok = await hookyard.createWebhook({
      name: "ok",
      url: `${healthy.url}/ok`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    // The healthy webhook has answered before (as a registry's long-standing webhooks have).
    expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "warm" }))).status).toBe(202);
    await hookyard.settledDeliveries(ok.id, 1, 10_000);
    for (let i = 0; i < 20; i++) {
      expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/dead", tag: `d${i}` }))).status).toBe(
        202,
      );
    }
    await waitFor(() => stuck.held() >= SLOW_CAP, { timeoutMs: 15_000, what: "the dead receivers' requests" });
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const pushes = 20;
    for (let i = 0; i < pushes; i++) {
      expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: `h${i}` }))).status).toBe(
        202,
      );
    }
    // Well before any dead request times out (60 s), every healthy delivery succeeded on its retry.
    await hookyard.settledDeliveries(ok.id, pushes + 1, 20_000);
    expect(await hookyard.db.delivery.count({ where: { webhookId: ok.id, status: "succeeded" } })).toBe(pushes + 1);
    // The slow and unknown lanes together, whatever each dead webhook's own share would allow.
    expect(stuck.held()).toBeLessThanOrEqual(SLOW_CAP + UNKNOWN_CAP);
    expect(stuck.held()).toBeGreaterThanOrEqual(SLOW_CAP);
    // Nothing is lost: once they answer, every dead webhook's delivery goes out.
    stuck.release();
    await waitFor(
      async () => (await hookyard.db.delivery.count({ where: { status: "succeeded" } })) === dead * 20 + pushes,
      {
        timeoutMs: 60_000,
        what: "every delivery succeeded",
      },
    );
  }, 120_000);
});
