import { freePort, manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FINISHED_BY_BUCKET_SQL,
  MAX_SAMPLED_DELIVERIES,
  SLOWEST_WEBHOOKS_SQL,
} from "../apps/api/src/services/overview.js";
import {
  axeViolations,
  type BrowserSession,
  launchChromium,
  openSession,
  PHONE,
  screenshots,
  signIn,
  WEB_DIST_INDEX,
  webUiBuilt,
} from "./support/browser.js";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";
import { userWithGrants } from "./support/users.js";

/*
 * The admin overview (GET /api/v1/overview and the web UI's Overview page) over real deliveries:
 * a real API and worker, receivers on loopback that answer 200, slowly, 500 and 410, and Debian's
 * Chromium for the page, checked with axe-core (every impact) at desktop and phone width.
 */

let hookyard: TestHookyard;
let browser: Browser;
const receivers: Receiver[] = [];
const sessions: BrowserSession[] = [];
const ids: Record<"ok" | "slow" | "failing" | "gone" | "paused", string> = {
  ok: "",
  slow: "",
  failing: "",
  gone: "",
  paused: "",
};
let repoAdminToken = "";

async function overview(query = "", token: string | null = ADMIN_TOKEN) {
  return hookyard.request("GET", `/api/v1/overview${query}`, { token });
}

/** What the deliveries API says of a webhook's deliveries: what a user would count by hand. */
async function statuses(webhookId: string): Promise<Record<string, number>> {
  const res = await hookyard.request("GET", `/api/v1/webhooks/${webhookId}/deliveries?limit=100`);
  const counts: Record<string, number> = {};
  for (const d of res.json.items as Array<{ status: string }>) counts[d.status] = (counts[d.status] ?? 0) + 1;
  return counts;
}

describe("the admin overview", () => {
  beforeAll(async () => {
    expect(webUiBuilt(), `${WEB_DIST_INDEX}: build the UI first (pnpm build)`).toBe(true);
    // TestHookyard's retry schedule is 100ms,200ms,300ms: a failing delivery is exhausted in a second.
    hookyard = await TestHookyard.start({ env: { PORT: String(await freePort()) } });
    browser = await launchChromium();

    const ok = await startReceiver(() => ({ status: 200 }));
    const slow = await startReceiver(() => ({ status: 200, delayMs: 400 }));
    const failing = await startReceiver(() => ({ status: 500, body: "boom" }));
    const gone = await startReceiver(() => ({ status: 410 }));
    receivers.push(ok, slow, failing, gone);
    const webhook = (name: string, receiver: Receiver, extra: Record<string, unknown> = {}) =>
      hookyard.createWebhook({
        name,
        url: `${receiver.url}/${name}`,
        events: ["TAG_PUSH"],
        repository: "acme/web",
        ...extra,
      });
    ids.ok = (await webhook("deploy", ok)).id;
    ids.slow = (await webhook("slow-ci", slow)).id;
    ids.failing = (await webhook("broken-ci", failing)).id;
    ids.gone = (await webhook("retired-chat", gone)).id;
    ids.paused = (await webhook("paused-audit", ok, { enabled: false })).id;
    repoAdminToken = await userWithGrants(hookyard, [{ repository: "acme/web" }]);

    for (const tag of ["1.0", "1.1", "1.2"]) {
      const res = await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag }));
      expect(res.status).toBe(202);
    }
    await hookyard.settledDeliveries(ids.ok, 3);
    await hookyard.settledDeliveries(ids.slow, 3);
    await hookyard.settledDeliveries(ids.failing, 3);
    // A 410 disables the webhook at its first answer; its later deliveries are not sent.
    await hookyard.settledDeliveries(ids.gone, 1);
    await waitFor(
      async () => {
        const res = await overview();
        return res.json?.pending?.total === 0;
      },
      { what: "no delivery pending" },
    );
  }, 90_000);

  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => {});
    await browser?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await hookyard?.close();
  });

  it("counts the window's deliveries by outcome as the deliveries API lists them", async () => {
    const expected = { succeeded: 0, failed: 0, canceled: 0 };
    for (const id of Object.values(ids)) {
      for (const [status, n] of Object.entries(await statuses(id))) expected[status as keyof typeof expected] += n;
    }
    expect(expected.succeeded).toBe(6);
    expect(expected.failed).toBeGreaterThanOrEqual(4);

    const res = await overview();
    expect(res.status).toBe(200);
    const body = res.json;
    expect(body.window).toBe("1h");
    expect(body.bucketMinutes).toBe(1);
    expect(body.totals).toEqual(expected);
    expect(body.failureRate).toBeCloseTo(expected.failed / (expected.succeeded + expected.failed), 10);
    const summed = { succeeded: 0, failed: 0, canceled: 0 };
    for (const b of body.buckets) for (const k of Object.keys(summed) as Array<keyof typeof summed>) summed[k] += b[k];
    expect(summed).toEqual(expected);
    expect(body.buckets.length).toBeGreaterThanOrEqual(60);
    expect(body.pending).toEqual({ total: 0, retrying: 0, more: false });
  });

  it("ranks the webhook whose receiver is slow first, and lists the disabled webhooks with why", async () => {
    const body = (await overview()).json;
    expect(body.slowestWebhooks[0]).toMatchObject({ id: ids.slow, name: "slow-ci", repository: "acme/web" });
    expect(body.slowestWebhooks[0].p95Ms).toBeGreaterThanOrEqual(400);
    expect(body.slowestWebhooks[0].attempts).toBe(3);
    // broken-ci: 3 deliveries of 4 attempts each.
    expect(body.slowestWebhooks.find((w: { id: string }) => w.id === ids.failing)?.attempts).toBe(12);

    expect(body.disabledWebhooks.total).toBe(2);
    const byId = Object.fromEntries(body.disabledWebhooks.items.map((w: { id: string }) => [w.id, w]));
    expect(byId[ids.gone]).toMatchObject({ name: "retired-chat", repository: "acme/web", namespace: "acme" });
    expect(byId[ids.gone].reason).toMatch(/410/);
    expect(byId[ids.paused]).toMatchObject({ name: "paused-audit", reason: null });
    expect(Number.isNaN(Date.parse(byId[ids.paused].since))).toBe(false);
  });

  it("shows each queue's jobs by state, as /metrics does", async () => {
    const body = (await overview()).json;
    const names = body.queues.map((q: { queue: string }) => q.queue);
    expect(names).toEqual(["events", "deliveries"]);
    for (const q of body.queues) {
      for (const state of ["waiting", "prioritized", "active", "delayed", "failed"]) expect(q[state]).toBe(0);
    }
    const metrics = await hookyard.request("GET", "/metrics");
    expect(metrics.status).toBe(200);
  });

  it("takes a window of whole minutes up to 24h, and refuses anything else naming the field", async () => {
    const day = (await overview("?window=24h")).json;
    expect(day.window).toBe("24h");
    expect(day.bucketMinutes).toBe(12);
    expect(day.buckets.length).toBeLessThanOrEqual(121);
    expect(day.totals.succeeded).toBe(6);
    expect((await overview("?window=15m")).json.totals.succeeded).toBe(6);
    for (const bad of ["25h", "0m", "90s", "abc", "1h30m", "-1h"]) {
      const res = await overview(`?window=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.message).toMatch(/^window: /);
    }
    const twice = await overview("?window=1h&window=2h");
    expect(twice.status).toBe(400);
    expect(twice.json.error.message).toMatch(/window/);
  });

  it("is for global admins only", async () => {
    const forbidden = await overview("", repoAdminToken);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe("forbidden");
    expect((await overview("", null)).status).toBe(401);
  });

  it("reads the window's deliveries through deliveries_finished_idx", async () => {
    // The test database is tiny, so the planner would rightly scan it whole; with sequential scans
    // off, a plan through the partial index shows the query's predicate matches the index's.
    const plans = await hookyard.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      const since = new Date(Date.now() - 3_600_000);
      const buckets = await tx.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(
        `EXPLAIN ${FINISHED_BY_BUCKET_SQL}`,
        1,
        since,
      );
      const slowest = await tx.$queryRawUnsafe<Array<{ "QUERY PLAN": string }>>(
        `EXPLAIN ${SLOWEST_WEBHOOKS_SQL}`,
        since,
        MAX_SAMPLED_DELIVERIES,
        5,
      );
      return [buckets, slowest].map((rows) => rows.map((r) => r["QUERY PLAN"]).join("\n"));
    });
    expect(plans[0]).toMatch(/deliveries_finished_idx/);
    expect(plans[1]).toMatch(/deliveries_finished_idx/);
    expect(plans[1]).toMatch(/delivery_attempts_delivery_id_n_key/);
    expect(plans[1]).toMatch(/Limit/);
  });

  // In Chromium: the deliveries the API checks above waited for are on the page.
  it("shows an admin the charts and figures, each with a text alternative, at desktop and phone width", async () => {
    const opened = await openSession(browser);
    sessions.push(opened);
    const { page, problems } = opened;
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    const expected = (await overview()).json;

    const figure = (term: string) => page.locator("dt", { hasText: term }).locator("xpath=following-sibling::dd[1]");
    const rate = `${(100 * expected.failureRate).toFixed(1).replace(/\.0$/, "")}%`;
    await figure("Failure rate").getByText(rate).waitFor();
    expect(await figure("Succeeded").textContent()).toMatch(/^6/);
    expect(await figure("Failed").textContent()).toMatch(new RegExp(`^${expected.totals.failed}`));

    // Each chart is drawn (recharts' bars) and said in words.
    const deliveries = page.getByRole("region", { name: "Deliveries by outcome" });
    await deliveries.locator(".recharts-bar-rectangle path").first().waitFor();
    await deliveries.getByText(`6 succeeded, ${expected.totals.failed} failed`).waitFor();
    const table = deliveries.getByRole("table", { name: /Deliveries finished per minute/ });
    const cells = await table.locator("tbody td").allTextContents();
    const sums = [0, 0, 0];
    for (let i = 0; i < cells.length; i += 4) for (let k = 0; k < 3; k++) sums[k]! += Number(cells[i + 1 + k]);
    expect(sums).toEqual([expected.totals.succeeded, expected.totals.failed, expected.totals.canceled]);

    const slowest = page.getByRole("region", { name: "Slowest webhooks" });
    await slowest.locator(".recharts-bar-rectangle path").first().waitFor();
    const firstRow = slowest.getByRole("table").locator("tbody tr").first();
    expect(await firstRow.getByRole("link").textContent()).toBe("slow-ci");

    const queues = page.getByRole("region", { name: "Queue depth" });
    await queues.locator(".recharts-surface").first().waitFor();
    expect(await queues.getByRole("table").locator("tbody th").allTextContents()).toEqual(["events", "deliveries"]);

    const disabled = page.getByRole("region", { name: "Disabled webhooks (2)" });
    await disabled.getByText(/410/).waitFor();
    await disabled.getByText("Created paused").waitFor();

    expect(await axeViolations(page), "axe on the overview").toEqual([]);
    const { phoneScrollWidth } = await screenshots(page, "overview", async () => {
      expect(await axeViolations(page), "axe on the overview at phone width").toEqual([]);
    });
    expect(phoneScrollWidth).toBeLessThanOrEqual(PHONE.width);

    // A longer window: wider buckets, the same deliveries.
    await page.getByText("Last 24h", { exact: true }).click();
    await deliveries.getByText(/in the last 24h, per 12 minutes\./).waitFor();
    await deliveries.getByRole("table", { name: /Deliveries finished per 12 minutes/ }).waitFor({ state: "attached" });
    await page.getByText("refreshed every 60 seconds").waitFor();

    // A slow webhook's link leads to its history; a disabled one's too.
    await firstRow.getByRole("link", { name: "slow-ci" }).click();
    await page.waitForURL(`**/ui/webhooks/${ids.slow}/history`);
    await page.goBack();
    await disabled.getByRole("link", { name: "retired-chat" }).click();
    await page.waitForURL(`**/ui/webhooks/${ids.gone}/history`);
    expect(problems).toEqual([]);
  }, 60_000);

  it("shows a repository admin no Overview link, and says so on its address", async () => {
    const opened = await openSession(browser);
    sessions.push(opened);
    const { page } = opened;
    await signIn(page, hookyard.baseUrl, repoAdminToken);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Repositories" }).waitFor();
    expect(await nav.getByRole("link", { name: "Overview" }).count()).toBe(0);
    await page.goto(`${hookyard.baseUrl}/ui/overview`);
    await page.getByText("Only global admins see how the whole system is doing.").waitFor();
    expect(await page.locator(".recharts-surface").count()).toBe(0);
  }, 30_000);
});
