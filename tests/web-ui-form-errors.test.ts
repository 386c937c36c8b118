import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "./support/browser.js";
import { ADMIN_TOKEN } from "./support/hookyard.js";
import { errorOf, focused, inView, textField, UiHarness } from "./support/web-ui-kit.js";

/*
 * Issue 28, item 2: errors after submitting are seen: all at once, in plain words, the first one
 * scrolled to and focused, each cleared when its field is corrected; a duplicate user name at its field.
 */

let ui: UiHarness;

describe("web UI: form errors", () => {
  beforeAll(async () => {
    ui = await UiHarness.start();
  }, 60_000);
  afterAll(() => ui?.close());

  it("shows every error of the webhook form at once, in plain words, and focuses the first", async () => {
    const { page, problems } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/acme/errors`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    const form = page.getByRole("dialog", { name: "Create webhook" });
    const name = textField(form, "Name");
    const url = textField(form, "URL");
    await name.fill("n".repeat(201));
    await url.fill("ftp://127.0.0.1/x");
    await form.getByRole("checkbox", { name: /\(TAG_PUSH\)/ }).uncheck();
    await form.getByRole("button", { name: "Create webhook" }).click();

    expect(await errorOf(name)).toBe("Name must be at most 200 characters");
    expect(await errorOf(url)).toBe("URL must be an http or https URL");
    await form.getByText("Choose at least one event type").waitFor();
    // The first invalid field has focus and can be seen, though the button is at the modal's end.
    expect(await focused(page)).toMatchObject({ tag: "input", label: expect.stringContaining("Name") });
    expect(await inView(name)).toBe(true);

    // Correcting a field clears its error alone.
    await name.fill("errors");
    expect(await errorOf(name)).toBe("");
    expect(await errorOf(url)).toBe("URL must be an http or https URL");
    await form.getByRole("checkbox", { name: /\(TAG_PUSH\)/ }).check();
    await form.getByRole("button", { name: "Create webhook" }).click();
    expect(await focused(page)).toMatchObject({ tag: "input", label: expect.stringContaining("URL") });
    expect(await inView(url)).toBe(true);

    // An error only the API finds is shown at its field, in words that name it.
    await url.fill("http://user:pw@127.0.0.1/x");
    expect(await errorOf(url)).toBe("");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await waitForError(url, "URL must not hold credentials");
    expect(await inView(url)).toBe(true);
    expect(await form.getByRole("alert").count()).toBe(0);
    expect((await ui.hookyard.request("GET", "/api/v1/webhooks?repository=acme/errors")).json.items).toHaveLength(0);
    expect(problems).toEqual([]);
  }, 40_000);

  it("shows a user name's problems at its field, a duplicate too", async () => {
    const { page, problems } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/users`);
    const name = page.getByLabel("User name");
    await name.fill("bad name!");
    await page.getByRole("button", { name: "Create user" }).click();
    await waitForError(name, "User name must be 1 to 100 characters of A-Z");
    expect(await focused(page)).toMatchObject({ tag: "input", label: expect.stringContaining("User name") });

    await name.fill("ci-bot");
    expect(await errorOf(name)).toBe("");
    await page.getByRole("button", { name: "Create user" }).click();
    const token = page.getByRole("dialog", { name: "The new user's API token" });
    await token.waitFor();
    await token.getByRole("button", { name: "Done" }).click();
    await name.fill("ci-bot");
    await page.getByRole("button", { name: "Create user" }).click();
    await waitForError(name, 'A user named "ci-bot" exists already');
    expect(await page.getByRole("alert").filter({ hasText: "exists already" }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 30_000);
});

async function waitForError(control: import("playwright-core").Locator, start: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await errorOf(control)).startsWith(start)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(await errorOf(control)).toContain(start);
}
