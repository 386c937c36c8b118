import { manifestPush, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DESKTOP, PHONE, signIn } from "./support/browser.js";
import { ADMIN_TOKEN } from "./support/hookyard.js";
import { resize, scrollWidth, UiHarness } from "./support/web-ui-kit.js";

/*
 * Issue 28, items 3 and 4: a grant given while the user is signed in works without a reload, and
 * long names and URLs (within the API's limits) neither make rows tall nor the page scroll sideways.
 */

let ui: UiHarness;

describe("web UI: grants picked up, long values", () => {
  beforeAll(async () => {
    ui = await UiHarness.start();
  }, 60_000);
  afterAll(() => ui?.close());

  it("opens a repository granted after sign-in without a reload", async () => {
    const { hookyard } = ui;
    expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/granted", tag: "v1" }))).status).toBe(
      202,
    );
    const made = await hookyard.request("POST", "/api/v1/users", { body: { name: "late-grant" } });
    expect(made.status).toBe(201);
    const { page, problems } = await ui.session();
    await signIn(page, hookyard.baseUrl, made.json.token);
    await page.getByText("No repositories yet").waitFor();

    const grant = await hookyard.request("POST", `/api/v1/users/${made.json.id}/grants`, {
      body: { repository: "acme/granted", role: "admin" },
    });
    expect(grant.status).toBe(201);
    // The user goes on in the same page: a click on the navigation, no reload.
    await waitFor(
      async () => {
        await page.getByRole("link", { name: "Repositories", exact: true }).click();
        return (await page.getByRole("link", { name: "acme/granted" }).count()) > 0;
      },
      { what: "acme/granted listed" },
    );
    await page.getByRole("link", { name: "acme/granted" }).click();
    await page.getByRole("heading", { name: "acme/granted", level: 1 }).waitFor();
    await page.getByText("No webhooks yet").waitFor();
    expect(await page.getByText("Not found").count()).toBe(0);
    expect(problems).toEqual([]);
  }, 40_000);

  it("truncates a 199-character name and a 712-character URL in tables and wraps them on the details page", async () => {
    const name = `Long ${"n".repeat(194)}`;
    const url = `http://127.0.0.1:9/${"u".repeat(712 - "http://127.0.0.1:9/".length)}`;
    expect(name).toHaveLength(199);
    expect(url).toHaveLength(712);
    const { id } = await ui.hookyard.createWebhook({ name, url, events: ["TAG_PUSH"], repository: "acme/long" });
    const { page, problems } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);

    for (const viewport of [DESKTOP, PHONE]) {
      await resize(page, viewport);
      await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/acme/long`);
      const link = page.getByRole("link", { name, exact: true });
      await link.waitFor();
      // The whole value on hover.
      expect(await link.getAttribute("title")).toBe(name);
      const row = viewport === DESKTOP ? page.locator("tbody tr").first() : page.locator("main li").first();
      const height = (await row.boundingBox())?.height ?? Infinity;
      expect(height, `row height at ${viewport.width}`).toBeLessThan(120);
      await page.getByTitle(url).first().waitFor();
      expect(await scrollWidth(page), `page width at ${viewport.width}`).toBeLessThanOrEqual(viewport.width);

      await page.goto(`${ui.hookyard.baseUrl}/ui/webhooks/${id}`);
      await page.getByRole("heading", { name, level: 1 }).waitFor();
      expect(await scrollWidth(page), `details width at ${viewport.width}`).toBeLessThanOrEqual(viewport.width);
      // Wrapped in the details: the whole URL is on the page.
      expect(await page.locator("main").textContent()).toContain(url);

      // The history page, headed by the long name, does not scroll sideways either.
      await page.goto(`${ui.hookyard.baseUrl}/ui/webhooks/${id}/history`);
      await page.getByRole("heading", { level: 1 }).waitFor();
      expect(await scrollWidth(page), `history width at ${viewport.width}`).toBeLessThanOrEqual(viewport.width);
    }
    expect(problems).toEqual([]);
  }, 40_000);
});
