import { newId } from "@hookyard/db";
import { freePort, manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AxeViolation,
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

/*
 * A webhook's history and a delivery as someone asking "did my push of v1.4.2 reach CI?" reads
 * them (issues 27 and 28): which push each row is, a search by tag, event id and time, what was
 * sent, when the next attempt is due, relative times with their zone, at desktop and phone width,
 * with axe finding nothing at all (not only nothing serious).
 */

let hookyard: TestHookyard;
let browser: Browser;
const receivers: Receiver[] = [];
const sessions: BrowserSession[] = [];

const DIGEST = `sha256:${"4f2a9c81d7e3".padEnd(64, "0")}`;

async function session(): Promise<BrowserSession> {
  const opened = await openSession(browser);
  sessions.push(opened);
  return opened;
}

async function push(repository: string, tag: string, extra: { digest?: string; actor?: string } = {}) {
  const res = await hookyard.ingestDistribution(manifestPush({ repository, tag, ...extra }));
  expect(res.status).toBe(202);
}

async function deliveriesOf(webhookId: string, query = ""): Promise<Array<Record<string, any>>> {
  const res = await hookyard.request("GET", `/api/v1/webhooks/${webhookId}/deliveries?limit=100${query}`);
  expect(res.status).toBe(200);
  return res.json.items;
}

/** Every axe violation, whatever its impact. */
async function allViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) {
    const { readFileSync } = await import("node:fs");
    const { createRequire } = await import("node:module");
    await page.evaluate(readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8"));
  }
  const violations: AxeViolation[] = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    return (await axe.run((globalThis as any).document, { resultTypes: ["violations"] })).violations;
  });
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} at ${JSON.stringify(v.nodes[0]?.target)}`);
}

/** axe at both widths, the screenshots the README embeds, and no sideways scrolling at phone width. */
async function checkPage(page: Page, name: string): Promise<void> {
  expect(await allViolations(page), `axe on ${name}`).toEqual([]);
  const { phoneScrollWidth } = await screenshots(page, name, async () => {
    expect(await allViolations(page), `axe on ${name} at phone width`).toEqual([]);
  });
  expect(phoneScrollWidth, `${name} at phone width`).toBeLessThanOrEqual(PHONE.width);
}

describe("delivery history and deliveries in a real browser", () => {
  beforeAll(async () => {
    expect(webUiBuilt(), `${WEB_DIST_INDEX}: build the UI first (pnpm build)`).toBe(true);
    hookyard = await TestHookyard.start({
      env: {
        PORT: String(await freePort()),
        // Retries far enough out that a failed delivery stays pending while the test looks at it.
        HOOKYARD_RETRY_SCHEDULE: "10m,10m,10m",
      },
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const s of sessions) await s.context.close().catch(() => {});
    await browser?.close();
    await Promise.all(receivers.map((r) => r.close()));
    await hookyard?.close();
  });

  it("shows what was sent (callback_url redacted) and, while pending, when the next attempt is due", async () => {
    const receiver = await startReceiver(() => ({ status: 503, body: "deploying" }));
    receivers.push(receiver);
    const webhook = await hookyard.createWebhook({
      name: "hub-ci",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/hub",
      format: "dockerhub",
    });
    await push("acme/hub", "v1.4.2", { digest: DIGEST, actor: "alice" });
    await waitFor(async () => (await deliveriesOf(webhook.id))[0]?.attempts === 1, { what: "the first attempt" });
    const [summary] = await deliveriesOf(webhook.id);
    const sentBody = receiver.requests[0]?.json as { callback_url: string; push_data: { tag: string } };
    expect(sentBody.push_data.tag).toBe("v1.4.2");

    const detail = await hookyard.request("GET", `/api/v1/deliveries/${summary?.id}`);
    expect(detail.status).toBe(200);
    const stored = detail.json.attempts[0].requestBody as string;
    // What was sent, but the capability URL: anyone who read it could answer for the receiver.
    expect(stored).not.toContain(sentBody.callback_url);
    expect(JSON.parse(stored)).toEqual({ ...sentBody, callback_url: "[redacted]" });
    expect(detail.json.status).toBe("pending");
    expect(detail.json.attemptsLeft).toBe(3);
    const due = Date.parse(detail.json.nextAttemptAt) - Date.now();
    expect(due).toBeGreaterThan(5 * 60_000);
    expect(due).toBeLessThan(13 * 60_000);

    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/deliveries/${summary?.id}`);
    await page.getByRole("heading", { name: /^Delivery dlv_/ }).waitFor();
    await page.getByText(/Next attempt in (about )?\d+ min \(3 left\)/).waitFor();
    const attempt = page.getByRole("article", { name: "Attempt 1" });
    const body = attempt.getByRole("region", { name: "Request body" });
    // Pretty-printed JSON: one field a line.
    await body.getByText('"tag": "v1.4.2"').waitFor();
    expect(await body.textContent()).toContain('"callback_url": "[redacted]"');
    expect(await page.content()).not.toContain(sentBody.callback_url);
    await checkPage(page, "delivery-pending");
    expect(problems).toEqual([]);
  }, 60_000);

  it("says which push each history row is, searches by tag, event id and time, and keeps the search in the URL", async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    receivers.push(receiver);
    const webhook = await hookyard.createWebhook({
      name: "ns-ci",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      namespace: "shop",
    });
    await push("shop/web", "v1.4.1", { actor: "bob" });
    await push("shop/api", "v1.4.2", { digest: DIGEST, actor: "alice" });
    await push("shop/web", "v1.4.3", { actor: "carol" });
    await waitFor(async () => (await deliveriesOf(webhook.id)).filter((d) => d.status === "succeeded").length === 3, {
      what: "three deliveries",
    });

    // The API: the push of each item, a search by tag and event id, a total, and 400s naming the field.
    const all = await deliveriesOf(webhook.id);
    expect(all.map((d) => d.tag)).toEqual(["v1.4.3", "v1.4.2", "v1.4.1"]);
    expect(all[1]).toMatchObject({ repository: "shop/api", digest: DIGEST, actor: "alice" });
    const byTag = await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}/deliveries?tag=v1.4.2`);
    expect(byTag.json.items.map((d: { tag: string }) => d.tag)).toEqual(["v1.4.2"]);
    expect(byTag.json.total).toBe(1);
    const byEvent = await deliveriesOf(webhook.id, `&eventId=${all[2]?.eventId}`);
    expect(byEvent.map((d) => d.tag)).toEqual(["v1.4.1"]);
    const none = await deliveriesOf(webhook.id, `&from=${new Date(Date.now() + 3600_000).toISOString()}`);
    expect(none).toEqual([]);
    const window = await deliveriesOf(
      webhook.id,
      `&from=${new Date(Date.now() - 3600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(window).toHaveLength(3);
    const bad = await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}/deliveries?from=yesterday`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.json)).toContain("from");
    const swapped = await hookyard.request(
      "GET",
      `/api/v1/webhooks/${webhook.id}/deliveries?from=2026-12-07T02:00:00Z&to=2026-12-07T01:00:00Z`,
    );
    expect(swapped.status).toBe(400);
    expect(JSON.stringify(swapped.json)).toContain("to: must be later than from");
    const badEvent = await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}/deliveries?eventId=nope`);
    expect(badEvent.status).toBe(400);
    expect(JSON.stringify(badEvent.json)).toContain("eventId");
    const paged = await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}/deliveries?limit=2`);
    expect(paged.json).toMatchObject({ total: 3 });
    expect(paged.json.items).toHaveLength(2);

    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/webhooks/${webhook.id}/history`);
    await page.getByRole("heading", { name: "History of ns-ci" }).waitFor();
    const row = page.locator(`[data-delivery-id="${all[1]?.id}"]`);
    await row.waitFor();
    const text = (await row.textContent()) ?? "";
    for (const part of ["v1.4.2", "sha256:4f2a9c81d7e3", "alice", "shop/api", "TAG_PUSH"]) expect(text).toContain(part);
    // A relative time, with the absolute time and its zone on hover.
    const time = row.locator("time");
    expect(await time.textContent()).toMatch(/ago|just now/);
    expect(await time.getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(await time.getAttribute("datetime")).toBe(all[1]?.createdAt);
    await page.getByText("1–3 of 3").waitFor();

    await page.getByLabel("Tag").fill("v1.4.2");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/tag=v1.4.2/);
    await page.getByText("1–1 of 1").waitFor();
    expect(await page.locator("[data-delivery-id]").count()).toBe(1);
    // The search survives a reload: it lives in the URL.
    await page.reload();
    await page.getByText("1–1 of 1").waitFor();
    expect(await page.getByLabel("Tag").inputValue()).toBe("v1.4.2");
    await page.getByRole("button", { name: "Clear" }).click();
    await page.getByText("1–3 of 3").waitFor();
    await checkPage(page, "history-search");
    expect(problems).toEqual([]);
  }, 60_000);

  it("says how long each list is, and stops counting a long history at 10,000", async () => {
    const ids = await Promise.all(
      ["a", "b", "c"].map((name) =>
        hookyard.createWebhook({
          name,
          url: "http://127.0.0.1:9/count",
          events: ["TAG_PUSH"],
          repository: "acme/count",
        }),
      ),
    );
    const webhooks = await hookyard.request("GET", "/api/v1/webhooks?repository=acme/count&limit=2");
    expect(webhooks.json).toMatchObject({ total: 3, totalCapped: false });
    expect(webhooks.json.items).toHaveLength(2);
    const users = await hookyard.request("GET", "/api/v1/users");
    expect(users.json.total).toBe(users.json.items.length);
    const admin = users.json.items[0].id;
    for (const list of ["tokens", "grants"]) {
      const res = await hookyard.request("GET", `/api/v1/users/${admin}/${list}`);
      expect(res.json.total, list).toBe(res.json.items.length);
    }
    expect((await hookyard.request("GET", "/api/v1/chains?repository=acme/count")).json).toMatchObject({
      items: [],
      total: 0,
    });

    // A history longer than the count goes: 10,001 finished deliveries, written as a canceled one is.
    const webhookId = ids[0]?.id as string;
    const n = 10_001;
    const events = Array.from({ length: n }, () => newId("event"));
    const deliveries = Array.from({ length: n }, () => newId("delivery"));
    await hookyard.db.$executeRaw`
      WITH e AS (
        INSERT INTO events (id, dedup_key, type, source, namespace, repository, tag, occurred_at, data)
        SELECT id, 'count:' || id, 'TAG_PUSH', 'distribution', 'acme', 'acme/count', 'v' || i, now(), '{}'
        FROM unnest(${events}::text[]) WITH ORDINALITY AS t(id, i) RETURNING id)
      INSERT INTO deliveries (id, webhook_id, event_id, status, completed_at)
      SELECT d, ${webhookId}, e, 'canceled', now()
      FROM unnest(${deliveries}::text[], ${events}::text[]) AS t(d, e)`;
    const long = await hookyard.request("GET", `/api/v1/webhooks/${webhookId}/deliveries`);
    expect(long.json).toMatchObject({ total: 10_000, totalCapped: true });
    const one = await hookyard.request("GET", `/api/v1/webhooks/${webhookId}/deliveries?tag=v17`);
    expect(one.json).toMatchObject({ total: 1, totalCapped: false });

    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/webhooks/${webhookId}/history`);
    await page.getByRole("navigation", { name: "Pages" }).getByText("1–20 of 10,000+").waitFor();
    await page.goto(`${hookyard.baseUrl}/ui/repositories/acme/count`);
    await page.getByText("1–3 of 3").waitFor();
    expect(problems).toEqual([]);
  }, 60_000);
});
