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
import { ADMIN_TOKEN, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";
import { type Family, parsePrometheus } from "./support/prometheus.js";

interface Scrape {
  families: Family[];
  /** The value of the one series of `name` with exactly these labels; undefined if there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The sum of every series of `name` whose labels include these (counters, gauges). */
  sum(name: string, labels?: Record<string, string>): number;
  /** Sample lines of a histogram (`<name>_count`, `<name>_bucket`) by their labels, read line by line:
   * parse-prometheus-text-format folds a histogram's labelled series into one. */
  histogram(name: string, labels?: Record<string, string>): { count: number; buckets: Record<string, number> };
}

const matches = (have: Record<string, string> = {}, want: Record<string, string>) =>
  Object.entries(want).every(([k, v]) => have[k] === v);

/** `name{a="x",b="y"} 1.5` (label values here hold no quotes, commas or braces). */
function sampleLine(line: string): { name: string; labels: Record<string, string>; value: number } | null {
  const found = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
  if (!found) return null;
  const labels = Object.fromEntries(
    [...(found[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  return { name: found[1] as string, labels, value: Number(found[3]) };
}

function scrapeOf(text: string): Scrape {
  const families = parsePrometheus(text);
  const series = (name: string) => families.find((f) => f.name === name)?.metrics ?? [];
  const samples = text.split("\n").flatMap((line) => sampleLine(line) ?? []);
  return {
    families,
    value(name, labels = {}) {
      const exact = series(name).find(
        (m) => Object.keys(m.labels ?? {}).length === Object.keys(labels).length && matches(m.labels, labels),
      );
      return exact?.value === undefined ? undefined : Number(exact.value);
    },
    sum: (name, labels = {}) =>
      series(name)
        .filter((m) => matches(m.labels, labels))
        .reduce((total, m) => total + Number(m.value), 0),
    histogram(name, labels = {}) {
      expect(families.find((f) => f.name === name)?.type).toBe("HISTOGRAM");
      const mine = samples.filter((s) => matches(s.labels, labels));
      const buckets: Record<string, number> = {};
      for (const s of mine.filter((s) => s.name === `${name}_bucket`)) {
        buckets[s.labels.le as string] = (buckets[s.labels.le as string] ?? 0) + s.value;
      }
      const count = mine.filter((s) => s.name === `${name}_count`).reduce((total, s) => total + s.value, 0);
      return { count, buckets };
    },
  };
}

async function scrape(url: string, token: string | null = ADMIN_TOKEN): Promise<Scrape> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return scrapeOf(await res.text());
}

describe("GET /metrics on the API and on each worker", () => {
  let hookyard: TestHookyard | undefined;
  let receiver: Receiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    await hookyard?.close();
    receiver = undefined;
    hookyard = undefined;
  });

  // Counters are per process and this file's tests share one: this is the only test that makes any.
  it("counts what was ingested, fanned out, delivered and disabled, as an operator would graph it", async () => {
    receiver = await startReceiver((req) => {
      if (req.path === "/broken") return { status: 500, body: "down" };
      if (req.path === "/gone") return { status: 410 };
      return { status: 200, delayMs: 15 };
    });
    const workerPort = await freePort();
    hookyard = await TestHookyard.start({
      env: {
        HOOKYARD_WORKER_METRICS_PORT: String(workerPort),
        // Two attempts per delivery; a webhook with two failed deliveries in a row is disabled.
        HOOKYARD_RETRY_SCHEDULE: "50ms",
        HOOKYARD_AUTO_DISABLE_FAILURES: "2",
        HOOKYARD_AUTO_DISABLE_AFTER: "1ms",
        HOOKYARD_RECONCILE_INTERVAL: "500ms",
      },
    });
    const apiMetrics = `${hookyard.baseUrl}/metrics`;
    const workerMetrics = `http://127.0.0.1:${workerPort}/metrics`;
    const hook = (name: string, repository: string) =>
      (hookyard as TestHookyard).createWebhook({
        name,
        url: `${receiver?.url}/${name}`,
        events: ["TAG_PUSH"],
        repository,
      });
    const ok = await hook("ok", "acme/web");
    const broken = await hook("broken", "acme/web");
    const gone = await hook("gone", "acme/old");
    const removed = await hook("removed", "acme/other");
    expect((await hookyard.request("DELETE", `/api/v1/webhooks/${removed.id}`)).status).toBe(204);

    // Three tagged pushes (MANIFEST_PUSH and TAG_PUSH each), one native event, and that event again.
    for (const [repository, tag] of [
      ["acme/web", "1.0"],
      ["acme/web", "2.0"],
      ["acme/old", "v1"],
    ] as const) {
      const res = await hookyard.ingestDistribution(manifestPush({ repository, tag }));
      expect(res.json).toEqual({ accepted: 2, duplicates: 0, ignored: 0 });
    }
    const native = { type: "REPO_CREATED", namespace: "acme", repository: "acme/web", id: "repo-acme-web-1" };
    const first = await hookyard.request("POST", "/api/v1/events", { body: native, token: INGEST_TOKEN });
    expect(first.json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    const again = await hookyard.request("POST", "/api/v1/events", { body: native, token: INGEST_TOKEN });
    expect(again.json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });

    // ok: 2 deliveries that succeed at once; broken: 2 that fail twice each; gone: 1 answered 410.
    const settled: Array<{ status: string; attempts?: number }> = [
      ...(await hookyard.settledDeliveries(ok.id, 2)),
      ...(await hookyard.settledDeliveries(broken.id, 2)),
      ...(await hookyard.settledDeliveries(gone.id, 1)),
    ];
    expect(settled.map((d) => d.status)).toEqual(["succeeded", "succeeded", "failed", "failed", "failed"]);
    const attemptsMade = settled.reduce((total, d) => total + (d.attempts ?? 0), 0);
    expect(attemptsMade).toBe(2 + 4 + 1);
    await waitFor(
      async () => (await hookyard?.request("GET", `/api/v1/webhooks/${broken.id}`))?.json.enabled === false,
      { what: "the failing webhook disabled by the auto-disabler" },
    );
    expect((await hookyard.request("GET", `/api/v1/webhooks/${gone.id}`)).json.enabled).toBe(false);
    expect((await hookyard.request("GET", `/api/v1/webhooks/${ok.id}`)).json.enabled).toBe(true);

    // A callback still waiting (state NULL) and one answered, on one of the deliveries.
    const { id: deliveryId } = (await hookyard.request("GET", `/api/v1/webhooks/${ok.id}/deliveries`)).json.items[0];
    const { id: otherId } = (await hookyard.request("GET", `/api/v1/webhooks/${broken.id}/deliveries`)).json.items[0];
    for (const [id, delivery, state] of [
      ["callback_pending", deliveryId, null],
      ["callback_success", otherId, "success"],
    ] as const) {
      // As Hookyard makes them: with the token of the URL sent, received when answered (docs/invariants.md).
      await hookyard.db.$executeRaw`
        WITH callback AS (
          INSERT INTO callbacks (id, delivery_id, state, expires_at, received_at)
          VALUES (${id}, ${delivery}, ${state}::callback_state, now() + interval '1 hour',
                  CASE WHEN ${state}::callback_state IS NOT NULL THEN now() END)
          RETURNING id)
        INSERT INTO callback_tokens (token_hash, callback_id) SELECT id || '-token', id FROM callback`;
    }

    // The worker counts right after booking: wait for the last booking to show.
    const worker = await waitFor(
      async () => {
        const s = await scrape(workerMetrics);
        return s.sum("hookyard_deliveries_total", { outcome: "succeeded" }) === 2 &&
          s.sum("hookyard_deliveries_total", { outcome: "failed" }) === 3 &&
          s.sum("hookyard_webhooks_disabled_total", { reason: "failing" }) === 1 &&
          s.sum("hookyard_fanout_events_total") === 10
          ? s
          : undefined;
      },
      { what: "the worker's counters to reach the settled deliveries" },
    );
    expect(worker.value("hookyard_deliveries_total", { outcome: "succeeded" })).toBe(2);
    expect(worker.value("hookyard_deliveries_total", { outcome: "failed" })).toBe(3);
    expect(worker.value("hookyard_deliveries_total", { outcome: "retry" })).toBe(2);
    expect(worker.value("hookyard_deliveries_total", { outcome: "skipped" })).toBe(0);
    const duration = "hookyard_delivery_attempt_duration_seconds";
    expect(worker.histogram(duration).count).toBe(attemptsMade);
    expect(worker.histogram(duration, { result: "2xx" }).count).toBe(2);
    expect(worker.histogram(duration, { result: "5xx" }).count).toBe(4);
    expect(worker.histogram(duration, { result: "4xx" }).count).toBe(1);
    expect(worker.histogram(duration, { result: "error" }).count).toBe(0);
    // The receiver took 15 ms to answer 200: both such attempts sit above the first bucket (10 ms), below 10 s.
    expect(worker.histogram(duration, { result: "2xx" }).buckets).toMatchObject({ "0.01": 0, "10": 2, "+Inf": 2 });
    expect(worker.value("hookyard_webhooks_disabled_total", { reason: "gone" })).toBe(1);
    expect(worker.value("hookyard_webhooks_disabled_total", { reason: "failing" })).toBe(1);
    // The 7 registry events, and the 3 WEBHOOK_DISABLED reports (no one subscribed): the deleted
    // webhook's, the gone one's and the failing one's. The last is published up to a second after
    // the disable, so the wait above is for all three.
    expect(worker.value("hookyard_fanout_events_total")).toBe(10);
    expect(worker.value("hookyard_operational_events_total", { type: "WEBHOOK_DISABLED" })).toBe(3);
    expect(worker.value("hookyard_fanout_deliveries_total")).toBe(5);
    // The worker's process metrics carry its own prefix; the API's series are not here.
    expect(worker.value("hookyard_worker_process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(worker.families.some((f) => f.name.startsWith("hookyard_api_"))).toBe(false);
    expect(worker.families.some((f) => f.name === "hookyard_queue_jobs")).toBe(false);

    const api = await scrape(apiMetrics);
    expect(api.value("hookyard_events_ingested_total", { source: "distribution", type: "MANIFEST_PUSH" })).toBe(3);
    expect(api.value("hookyard_events_ingested_total", { source: "distribution", type: "TAG_PUSH" })).toBe(3);
    expect(api.value("hookyard_events_ingested_total", { source: "native", type: "REPO_CREATED" })).toBe(1);
    expect(api.sum("hookyard_events_ingested_total")).toBe(7);
    expect(api.value("hookyard_events_duplicate_total", { source: "native" })).toBe(1);
    expect(api.sum("hookyard_events_duplicate_total")).toBe(1);
    expect(api.value("hookyard_webhooks", { state: "enabled" })).toBe(1);
    expect(api.value("hookyard_webhooks", { state: "disabled" })).toBe(2);
    expect(api.value("hookyard_webhooks", { state: "deleted" })).toBe(1);
    expect(api.value("hookyard_callbacks", { state: "pending" })).toBe(1);
    expect(api.value("hookyard_callbacks", { state: "success" })).toBe(1);
    expect(api.value("hookyard_callbacks", { state: "failure" })).toBe(0);
    expect(api.value("hookyard_callbacks", { state: "error" })).toBe(0);
    for (const queue of ["events", "deliveries"]) {
      for (const state of ["waiting", "prioritized", "active", "delayed", "failed"]) {
        expect(api.value("hookyard_queue_jobs", { queue, state }), `${queue} ${state}`).toBe(0);
      }
    }
    expect(api.value("hookyard_api_process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(api.families.some((f) => f.name.startsWith("hookyard_worker_"))).toBe(false);
  });

  it("takes a global admin's token on both by default: 401 without one, 403 for another user", async () => {
    const workerPort = await freePort();
    hookyard = await TestHookyard.start({ env: { HOOKYARD_WORKER_METRICS_PORT: String(workerPort) } });
    const user = await hookyard.request("POST", "/api/v1/users", { body: { name: "viewer" } });
    expect(user.status).toBe(201);
    const endpoints = [`${hookyard.baseUrl}/metrics`, `http://127.0.0.1:${workerPort}/metrics`];
    for (const url of endpoints) {
      const anonymous = await fetch(url);
      expect(anonymous.status, url).toBe(401);
      expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
      const wrong = await fetch(url, { headers: { authorization: "Bearer not-a-token-of-anyone-here" } });
      expect(wrong.status, url).toBe(401);
      const plain = await fetch(url, { headers: { authorization: `Bearer ${user.json.token}` } });
      expect(plain.status, url).toBe(403);
      expect(((await plain.json()) as { error: { code: string } }).error.code).toBe("forbidden");
      expect((await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, url).toBe(200);
    }
    // The worker's health check needs no token; its server has nothing else.
    const health = await fetch(`http://127.0.0.1:${workerPort}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(`http://127.0.0.1:${workerPort}/elsewhere`)).status).toBe(404);
  });

  it("answers without a token on both when HOOKYARD_METRICS_PUBLIC=true", async () => {
    const workerPort = await freePort();
    hookyard = await TestHookyard.start({
      env: { HOOKYARD_WORKER_METRICS_PORT: String(workerPort), HOOKYARD_METRICS_PUBLIC: "true" },
    });
    const api = await scrape(`${hookyard.baseUrl}/metrics`, null);
    expect(api.value("hookyard_webhooks", { state: "enabled" })).toBe(0);
    const worker = await scrape(`http://127.0.0.1:${workerPort}/metrics`, null);
    expect(worker.value("hookyard_deliveries_total", { outcome: "succeeded" })).toBeDefined();
    // Other routes still take their tokens.
    expect((await hookyard.request("GET", "/api/v1/webhooks", { token: null })).status).toBe(401);
  });
});

describe("GET /metrics when a read fails", () => {
  let hookyard: TestHookyard | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await hookyard?.close();
    await proxy?.close();
    hookyard = undefined;
    proxy = undefined;
  });

  it("answers 503 while Postgres is away, and the figures again once it is back", async () => {
    proxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 });
    const port = proxy.port;
    hookyard = await TestHookyard.start({
      worker: false,
      // Public: a token would be checked in Postgres first, and that 503 would not be this route's.
      env: { HOOKYARD_METRICS_PUBLIC: "true", LOG_LEVEL: "warn" },
      databaseUrl: (url) => url.replace("127.0.0.1:5432", `127.0.0.1:${port}`),
    });
    await scrape(`${hookyard.baseUrl}/metrics`, null);
    await proxy.cut();
    const away = await fetch(`${hookyard.baseUrl}/metrics`);
    expect(away.status).toBe(503);
    expect(((await away.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    expect(hookyard.logLines.filter((line) => line.level === "error")).toEqual([]);
    await proxy.restore();
    const url = `${hookyard.baseUrl}/metrics`;
    await waitFor(async () => (await fetch(url)).status === 200, { timeoutMs: 10_000 });
  });

  it("answers 500 and logs the error when a read fails for another reason, instead of blaming an outage", async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_METRICS_PUBLIC: "true" } });
    // A table a gauge reads is gone (a migration gone wrong, say): Postgres answers, and refuses.
    await hookyard.db.$executeRaw`ALTER TABLE chain_runs RENAME TO chain_runs_elsewhere`;
    try {
      const res = await fetch(`${hookyard.baseUrl}/metrics`);
      expect(res.status).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("internal");
    } finally {
      await hookyard.db.$executeRaw`ALTER TABLE chain_runs_elsewhere RENAME TO chain_runs`;
    }
    const logged = hookyard.logLines.find((line) => line.message === "metrics could not be collected");
    expect(logged?.level).toBe("error");
    expect(JSON.stringify(logged?.error)).toContain("chain_runs");
    await scrape(`${hookyard.baseUrl}/metrics`, null);
  });
});
