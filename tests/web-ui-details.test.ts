import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "./support/browser.js";
import { ADMIN_TOKEN } from "./support/hookyard.js";
import { UiHarness } from "./support/web-ui-kit.js";

/*
 * Issue 28, item 6 (the parts of the web UI's pages): a chain's steps are added in the order the user
 * picks them, notifications cover neither Sign out nor a dialog's buttons, and ids can be copied.
 */

let ui: UiHarness;

const box = async (locator: import("playwright-core").Locator) => {
  const b = await locator.boundingBox();
  if (!b) throw new Error("not on screen");
  return b;
};
const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe("web UI: chain order, notifications, copy buttons", () => {
  beforeAll(async () => {
    ui = await UiHarness.start();
  }, 60_000);
  afterAll(() => ui?.close());

  it("adds chain steps oldest webhook first, in the order chosen", async () => {
    for (const name of ["Run tests", "Deploy"]) {
      await ui.hookyard.createWebhook({
        name,
        url: `http://127.0.0.1:9/${name.replace(" ", "-")}`,
        events: ["TAG_PUSH"],
        repository: "acme/chain",
        format: "dockerhub",
      });
    }
    const { page, problems } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/acme/chain?tab=chains`);
    await page.getByRole("button", { name: "Create chain" }).first().click();
    const form = page.getByRole("dialog", { name: "Create chain" });
    await form.getByRole("button", { name: "Add step" }).click();
    await form.getByRole("button", { name: "Add step" }).click();
    const steps = await form.getByRole("listitem").allTextContents();
    // Each step ends with its move and remove buttons (↑ ↓ ×).
    expect(steps.map((s) => s.replace(/[↑↓×]/g, "").trim())).toEqual(["Run tests", "Deploy"]);
    expect(problems).toEqual([]);
  }, 30_000);

  it("shows notifications clear of Sign out and of an open dialog's buttons; copies ids", async () => {
    const { id } = await ui.hookyard.createWebhook({
      name: "copyable",
      url: "http://127.0.0.1:9/copy",
      events: ["TAG_PUSH"],
      repository: "acme/copy",
    });
    const { page, context, problems } = await ui.session();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: ui.hookyard.baseUrl });
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/acme/copy`);
    // A notification (disabling), then a dialog opened while it shows.
    await page.getByRole("button", { name: "Actions for copyable" }).click();
    await page.getByRole("menuitem", { name: "Disable" }).click();
    const toast = page.locator(".mantine-Notification-root").first();
    await toast.waitFor();
    expect(overlaps(await box(toast), await box(page.getByRole("button", { name: "Sign out" })))).toBe(false);
    await page.getByRole("button", { name: "Actions for copyable" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete webhook copyable?" });
    for (const name of ["Cancel", "Delete webhook"]) {
      const button = await box(dialog.getByRole("button", { name }));
      expect(overlaps(await box(toast), button), `the notification over ${name}`).toBe(false);
    }
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Copy buttons: on the webhook's details and the user's page.
    await page.goto(`${ui.hookyard.baseUrl}/ui/webhooks/${id}`);
    const copy = page.getByRole("button", { name: "Copy webhook id" });
    await copy.click();
    await page.getByRole("status").filter({ hasText: "Copied" }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(id);
    const users = (await ui.hookyard.request("GET", "/api/v1/users")).json.items;
    await page.goto(`${ui.hookyard.baseUrl}/ui/users/${users[0].id}`);
    await page.getByRole("button", { name: "Copy user id" }).click();
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(users[0].id);
    expect(problems).toEqual([]);
  }, 40_000);
});
