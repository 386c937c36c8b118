import {
  freePort,
  manifestPush,
  type Receiver,
  startReceiver,
  startTcpProxy,
  type TcpProxy,
  waitFor,
} from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";
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

/*
 * Postgres goes away for 10 s under steady load. Redis holds the events meanwhile; the worker
 * waits (it does not spend attempts or fail jobs on a store outage) and delivers everything once
 * Postgres is back. The test's Hookyard reaches Postgres through a proxy of its own, so cutting it
 * touches no other test.
 */
describe("a Postgres outage under load", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let proxy: TcpProxy;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
    await proxy?.close();
  });

  it("delivers every event answered 202, once, and no process exits", async () => {
    receiver = await startReceiver();
    proxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 });
    hookyard = await TestHookyard.start({
      worker: false,
      databaseUrl: (url) => url.replace("127.0.0.1:5432", `127.0.0.1:${proxy.port}`),
      // The short schedule a brief outage used to exhaust: a store fault must not spend attempts.
      env: {
        ...FAULT_TEST_ENV,
        HOOKYARD_RETRY_SCHEDULE: "100ms,200ms,300ms",
        HOOKYARD_RECONCILE_INTERVAL: "2s",
        LOG_LEVEL: "info",
      },
    });
    await createWebhooks(hookyard, receiver, WEBHOOKS);
    const metricsPort = await freePort();
    const worker = hookyard.spawnWorker({ HOOKYARD_WORKER_METRICS_PORT: String(metricsPort) });
    // What Prometheus would read off the worker: its token was checked before the outage.
    const scrape = async (token = ADMIN_TOKEN) => {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await res.text();
      const value = (name: string) =>
        text
          .split("\n")
          .filter((line) => line.startsWith(name))
          .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
      return {
        status: res.status,
        available: value("hookyard_store_available"),
        waits: value("hookyard_store_waits_total"),
      };
    };
    const before = await waitFor(async () => {
      const s = await scrape();
      return s.status === 200 && s;
    });
    const scrapes: Array<Awaited<ReturnType<typeof scrape>>> = [];
    const readiness: number[] = [];
    let apiDuringOutage: unknown[] = [];

    const load = await publishSteadily(hookyard, { pushes: 1_200, perSecond: 100 }, async () => {
      await sleep(2_000);
      await proxy.cut();
      await sleep(4_000);
      readiness.push((await hookyard.request("GET", "/readyz", { token: null })).status);
      const listing = await hookyard.request("GET", "/api/v1/webhooks");
      apiDuringOutage = [listing.status, listing.json.error.code, listing.headers.get("retry-after")];
      scrapes.push(await scrape(), await scrape("not-a-token-anyone-has"));
      await sleep(6_000);
      await proxy.restore();
    });

    const expected = load.accepted.length * WEBHOOKS;
    await waitFor(() => receiver.requests.length >= expected, { timeoutMs: 60_000, what: `${expected} deliveries` });
    // First attempts are booked just after their POST (decision 0015); then any repeat would show.
    await waitFor(async () => (await hookyard.db.deliveryAttempt.count()) >= expected, { what: "the attempts booked" });
    await sleep(500);
    const counts = arrivals(receiver);
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    console.log(`postgres outage: expected ${expected}, delivered ${counts.size}, duplicated ${duplicates}`);

    expect(load.accepted).toHaveLength(1_200);
    expect(onlyAcceptedOrUnavailable(load)).toBe(true);
    expect(readiness).toEqual([503]);
    // What needs Postgres answers 503 (retry later), not 500.
    expect(apiDuringOutage).toEqual([503, "unavailable", "1"]);
    expect(counts.size).toBe(expected);
    expect(duplicates, JSON.stringify(await failedAttempts(hookyard))).toBe(0);
    expect(worker.exitCode).toBe(null);
    expect(await hookyard.db.delivery.count({ where: { status: { not: "succeeded" } } })).toBe(0);
    expect(await hookyard.db.deliveryAttempt.count()).toBe(expected);

    // The worker said it once each way, not once per job.
    const lines = hookyard.childLogLines.map((l) => l.message);
    expect(lines.filter((m) => m === "Postgres is unavailable; job intake paused until it answers")).toHaveLength(1);
    expect(lines.filter((m) => m === "Postgres answers again; job intake resumed")).toHaveLength(1);
    expect(hookyard.childLogLines.filter((l) => l.level === "error")).toEqual([]);

    // The scrape shows the outage (a token it cannot check now is refused, 503), then the recovery.
    expect(before).toMatchObject({ status: 200, available: 1, waits: 0 });
    expect(scrapes.map((s) => [s.status, s.status === 200 ? s.available : null])).toEqual([
      [200, 0],
      [503, null],
    ]);
    const after = await scrape();
    expect(after).toMatchObject({ status: 200, available: 1 });
    expect(after.waits).toBeGreaterThan(0);
  }, 120_000);

  it("books a POST that went out while Postgres went away once it is back, and never sends it again", async () => {
    proxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 });
    // The receiver takes Postgres away while it answers: the worker has sent, and cannot book.
    receiver = await startReceiver((req) => {
      if (req.n === 1) void proxy.cut().then(() => setTimeout(() => void proxy.restore(), 2_000));
      return { status: 200, delayMs: 200 };
    });
    hookyard = await TestHookyard.start({
      databaseUrl: (url) => url.replace("127.0.0.1:5432", `127.0.0.1:${proxy.port}`),
    });
    const webhook = await hookyard.createWebhook({
      name: "ci",
      url: receiver.url,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "1.0" }));

    const [delivery] = await hookyard.settledDeliveries(webhook.id, 1, 20_000);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200 });
    await sleep(1_000);
    expect(receiver.requests).toHaveLength(1);
  }, 60_000);
});
