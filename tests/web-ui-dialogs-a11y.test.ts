import { startReceiver } from "@hookyard/testkit";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, DESKTOP, PHONE, signIn } from "./support/browser.js";
import { ADMIN_TOKEN } from "./support/hookyard.js";
import { focused, resize, textField, UiHarness } from "./support/web-ui-kit.js";

/*
 * Issue 28, item 5: axe finds nothing, of any impact, with each dialog and menu open, at desktop and
 * phone width; focus is shown by a clear ring and lands somewhere sensible after a creation.
 */

let ui: UiHarness;

/** Opens the dialog or menu at both widths in turn and runs axe with it open. */
async function checkOpen(page: Page, what: string, open: () => Promise<Locator>, close: () => Promise<void>) {
  for (const viewport of [DESKTOP, PHONE]) {
    await resize(page, viewport);
    const opened = await open();
    await opened.waitFor();
    expect(await axeViolations(page), `axe with ${what} open at ${viewport.width}`).toEqual([]);
    await close();
    await opened.waitFor({ state: "hidden" });
  }
  await resize(page, DESKTOP);
}

describe("web UI: accessibility with dialogs and menus open", () => {
  beforeAll(async () => {
    ui = await UiHarness.start();
  }, 60_000);
  afterAll(() => ui?.close());

  it("has no axe violation with any webhook dialog or menu open, and a visible focus ring", async () => {
    const receiver = ui.track(await startReceiver(() => ({ status: 204 })));
    await ui.hookyard.createWebhook({
      name: "notify",
      url: `${receiver.url}/notify`,
      events: ["TAG_PUSH"],
      repository: "acme/a11y",
    });
    const { page } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/acme/a11y`);
    const pressEscape = () => page.keyboard.press("Escape");
    const menuItem = async (item: string) => {
      await page.getByRole("button", { name: "Actions for notify" }).click();
      await page.getByRole("menuitem", { name: item }).click();
    };
    await page.getByRole("button", { name: "Actions for notify" }).waitFor();

    await checkOpen(
      page,
      "the webhook menu",
      async () => {
        await page.getByRole("button", { name: "Actions for notify" }).click();
        return page.getByRole("menu");
      },
      pressEscape,
    );
    await checkOpen(
      page,
      "the edit dialog",
      async () => {
        await menuItem("Edit");
        return page.getByRole("dialog", { name: "Edit webhook notify" });
      },
      pressEscape,
    );
    await checkOpen(
      page,
      "the create dialog",
      async () => {
        await page.getByRole("button", { name: "Create webhook" }).click();
        return page.getByRole("dialog", { name: "Create webhook" });
      },
      pressEscape,
    );
    await checkOpen(
      page,
      "the rotate-secret dialog",
      async () => {
        await menuItem("Rotate secret");
        return page.getByRole("dialog", { name: "Rotate the secret of notify" });
      },
      pressEscape,
    );
    await checkOpen(
      page,
      "the delete confirmation",
      async () => {
        await menuItem("Delete");
        return page.getByRole("dialog", { name: "Delete webhook notify?" });
      },
      pressEscape,
    );
    await checkOpen(
      page,
      "the test dialog",
      async () => {
        await menuItem("Test");
        return page.getByRole("dialog", { name: "Test delivery to notify" });
      },
      pressEscape,
    );

    // Focus on an input is a ring of at least 2 px, not only a border colour.
    await page.getByRole("button", { name: "Create webhook" }).click();
    const name = textField(page.getByRole("dialog", { name: "Create webhook" }), "Name");
    await name.focus();
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Tab");
    const ring = await name.evaluate((el: any) => {
      const style = (globalThis as any).getComputedStyle(el);
      return { width: Number.parseFloat(style.outlineWidth), outline: style.outlineStyle };
    });
    expect(ring.outline).not.toBe("none");
    expect(ring.width).toBeGreaterThanOrEqual(2);
    await pressEscape();
  }, 55_000);

  it("lands focus on the new row after the first webhook is created; user, token and chain dialogs pass axe", async () => {
    const { page, problems } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/acme/first`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    const form = page.getByRole("dialog", { name: "Create webhook" });
    await textField(form, "Name").fill("first");
    await textField(form, "URL").fill("http://127.0.0.1:9/first");
    await form.getByRole("checkbox", { name: /\(TAG_PUSH\)/ }).uncheck();
    await form.getByRole("checkbox", { name: /\(TAG_PUSH\)/ }).check();
    await form.getByLabel("Format").selectOption("dockerhub");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await form.waitFor({ state: "hidden" });
    await page.getByRole("link", { name: "first", exact: true }).waitFor();
    await page.waitForFunction(() => (globalThis as any).document.activeElement?.tagName !== "BODY");
    expect(await focused(page)).toMatchObject({ label: "first" });

    // Chain dialogs.
    await page.getByRole("tab", { name: "Chains" }).click();
    await checkOpen(
      page,
      "the chain form",
      async () => {
        await page.getByRole("button", { name: "Create chain" }).first().click();
        return page.getByRole("dialog", { name: "Create chain" });
      },
      () => page.keyboard.press("Escape"),
    );
    const made = await ui.hookyard.request("POST", "/api/v1/chains", {
      body: {
        name: "ship",
        repository: "acme/first",
        events: ["TAG_PUSH"],
        webhooks: [
          (await ui.hookyard.request("GET", "/api/v1/webhooks?repository=acme/first")).json.items[0].id as string,
        ],
      },
    });
    expect(made.status).toBe(201);
    await page.reload();
    await checkOpen(
      page,
      "the chain delete confirmation",
      async () => {
        await page.getByRole("button", { name: "Delete ship" }).click();
        return page.getByRole("dialog", { name: "Delete chain ship?" });
      },
      () => page.keyboard.press("Escape"),
    );

    // User and token dialogs.
    const user = await ui.hookyard.request("POST", "/api/v1/users", { body: { name: "dialogs" } });
    await page.goto(`${ui.hookyard.baseUrl}/ui/users/${user.json.id}`);
    await checkOpen(
      page,
      "the new token dialog",
      async () => {
        await page.getByRole("button", { name: "Create token" }).click();
        return page.getByRole("dialog", { name: "New API token" });
      },
      () => page.keyboard.press("Escape"),
    );
    await checkOpen(
      page,
      "the user delete confirmation",
      async () => {
        await page.getByRole("button", { name: "Delete user" }).click();
        return page.getByRole("dialog", { name: "Delete user dialogs?" });
      },
      () => page.keyboard.press("Escape"),
    );
    expect(problems).toEqual([]);
  }, 55_000);
});
