import { manifestPush, startReceiver, waitFor } from "@hookyard/testkit";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations, DESKTOP, PHONE, screenshots, signIn } from "./support/browser.js";
import { ADMIN_TOKEN } from "./support/hookyard.js";
import { errorOf, resize, scrollWidth, textField, UiHarness } from "./support/web-ui-kit.js";

/*
 * Issue 27, part 4: the webhook form picks a format, edits a template and its content type with a
 * live preview of what would be sent (the repository's latest real event, or a sample), and sets a
 * rate limit; the details page shows them.
 */

let ui: UiHarness;

async function push(repository: string, tag: string, digest?: string): Promise<void> {
  const res = await ui.hookyard.ingestDistribution(manifestPush({ repository, tag, digest, actor: "alice" }));
  expect(res.status).toBe(202);
}

/** Signs in and opens the create form of a repository's webhooks. */
async function openCreateForm(repository: string): Promise<{ page: Page; form: Locator; problems: string[] }> {
  const { page, problems } = await ui.session();
  await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
  await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/${repository}`);
  await page.getByRole("button", { name: "Create webhook" }).click();
  const form = page.getByRole("dialog", { name: "Create webhook" });
  await form.waitFor();
  return { page, form, problems };
}

const preview = (form: Locator) => form.getByTestId("payload-preview");
const previewStatus = (form: Locator) => form.getByTestId("preview-status");
const previewBody = (form: Locator) => form.getByTestId("preview-body");

describe("web UI: payload formats, templates, preview and rate limit", () => {
  beforeAll(async () => {
    ui = await UiHarness.start();
  }, 60_000);
  afterAll(() => ui?.close());

  it("previews a template against the repository's latest event, and shows a broken template's line", async () => {
    const receiver = ui.track(await startReceiver(() => ({ status: 204 })));
    await push("acme/preview", "v1.4.2");
    const { page, form, problems } = await openCreateForm("acme/preview");
    await textField(form, "Name").fill("templated");
    await textField(form, "URL").fill(`${receiver.url}/templated`);
    await form.getByLabel("Format").selectOption("template");
    const template = form.getByRole("textbox", { name: /^Template/ });
    await template.fill('{"pushed": {{ event.tag | json }}, "by": {{ event.actor | json }}}');
    await waitFor(async () => (await previewBody(form).textContent())?.includes('"pushed": "v1.4.2"'), {
      what: "the preview of the latest event",
    });
    expect(await previewBody(form).textContent()).toContain('"by": "alice"');
    await waitFor(async () => (await previewStatus(form).textContent())?.includes("of v1.4.2"), {
      what: "the latest event's tag in the preview's heading",
    });
    expect(await previewStatus(form).textContent()).toMatch(/^Latest event: TAG_PUSH of v1\.4\.2, /);
    expect(await form.getByTestId("preview-content-type").textContent()).toBe("application/json");

    // A broken template: the preview says where, and so does the field on save; nothing is saved.
    await template.fill("{% if %}");
    await waitFor(async () => (await previewStatus(form).textContent())?.includes("Cannot render"), {
      what: "the preview's render error",
    });
    expect(await previewStatus(form).getAttribute("aria-live")).toBe("polite");
    expect(await previewStatus(form).textContent()).toMatch(/Template has a problem at line 1, column \d+: /);
    await form.getByRole("button", { name: "Create webhook" }).click();
    await waitFor(async () => (await errorOf(template)).includes("line 1, column"), {
      what: "the API's template error at the field",
    });
    expect(await errorOf(template)).toMatch(/^Template has a problem at line 1, column \d+: /);
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe("TEXTAREA");
    const listed = (await ui.hookyard.request("GET", "/api/v1/webhooks?repository=acme/preview")).json.items;
    expect(listed).toHaveLength(0);
    // A preview sends nothing.
    expect(receiver.requests).toHaveLength(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it("creates a template webhook with a rate limit that delivers the rendered body; details and edit show them", async () => {
    const receiver = ui.track(await startReceiver(() => ({ status: 204 })));
    const { page, form, problems } = await openCreateForm("acme/rated");
    // No event yet: a sample of the first chosen type, said so.
    await textField(form, "Name").fill("rated");
    await textField(form, "URL").fill(`${receiver.url}/rated`);
    await form.getByLabel("Format").selectOption("template");
    await form.getByRole("textbox", { name: /^Template/ }).fill("pushed {{ event.repository }}:{{ event.tag }}");
    await form.getByLabel("Content type").fill("text/plain; charset=utf-8");
    await waitFor(async () => /^pushed acme\/rated:/.test((await previewBody(form).textContent()) ?? ""), {
      what: "the sample preview",
    });
    expect(await previewStatus(form).textContent()).toBe("Sample TAG_PUSH event. Nothing is sent.");
    expect(await form.getByTestId("preview-content-type").textContent()).toBe("text/plain; charset=utf-8");
    await form.getByLabel("Rate limit (deliveries per second)").fill("5");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await form.waitFor({ state: "hidden" });
    const [created] = (await ui.hookyard.request("GET", "/api/v1/webhooks?repository=acme/rated")).json.items;
    expect(created).toMatchObject({
      format: "template",
      template: "pushed {{ event.repository }}:{{ event.tag }}",
      templateContentType: "text/plain; charset=utf-8",
      rateLimit: 5,
    });

    await push("acme/rated", "v2.0");
    await waitFor(async () => receiver.requests.length === 1, { what: "the delivery at the receiver" });
    expect(receiver.requests[0]?.body).toBe("pushed acme/rated:v2.0");
    expect(receiver.requests[0]?.headers["content-type"]).toBe("text/plain; charset=utf-8");

    // The details page shows the template, its content type and the rate limit.
    await page.goto(`${ui.hookyard.baseUrl}/ui/webhooks/${created.id}`);
    await page.getByRole("heading", { name: "rated", level: 1 }).waitFor();
    const details = page.locator("main");
    const text = (await details.textContent()) ?? "";
    for (const fact of [
      "Your Liquid template (template)",
      "pushed {{ event.repository }}:{{ event.tag }}",
      "text/plain; charset=utf-8",
      "5 deliveries per second at most",
    ]) {
      expect(text, fact).toContain(fact);
    }

    // Editing shows them; clearing the rate limit lifts it.
    await details.getByRole("button", { name: "Actions for rated" }).click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    const edit = page.getByRole("dialog", { name: "Edit webhook rated" });
    expect(await edit.getByLabel("Format").inputValue()).toBe("template");
    expect(await edit.getByRole("textbox", { name: /^Template/ }).inputValue()).toBe(
      "pushed {{ event.repository }}:{{ event.tag }}",
    );
    expect(await edit.getByLabel("Content type").inputValue()).toBe("text/plain; charset=utf-8");
    const rate = edit.getByLabel("Rate limit (deliveries per second)");
    expect(await rate.inputValue()).toBe("5");
    // The repository has an event now: the preview is of it.
    await waitFor(async () => (await previewStatus(edit).textContent())?.includes("Latest event: TAG_PUSH of v2.0"), {
      what: "the edit form's preview of the latest event",
    });
    expect(await previewBody(edit).textContent()).toBe("pushed acme/rated:v2.0");

    await rate.fill("20000");
    await edit.getByRole("button", { name: "Save webhook" }).click();
    expect(await errorOf(rate)).toContain("Rate limit must be a whole number from 1 to 10000");
    await rate.fill("");
    await edit.getByRole("button", { name: "Save webhook" }).click();
    await edit.waitFor({ state: "hidden" });
    const saved = (await ui.hookyard.request("GET", `/api/v1/webhooks/${created.id}`)).json;
    expect(saved.rateLimit).toBeNull();
    expect(saved.template).toBe("pushed {{ event.repository }}:{{ event.tag }}");
    await details.getByText("Rate limit", { exact: true }).waitFor();
    expect(await details.textContent()).not.toContain("deliveries per second at most");
    expect(problems).toEqual([]);
  }, 60_000);

  it("previews Slack's message for the chosen format", async () => {
    await push("acme/chat", "v3.1");
    const { form, problems } = await openCreateForm("acme/chat");
    await form.getByLabel("Format").selectOption("slack");
    await form.getByText("Posts a Slack message", { exact: false }).waitFor();
    await waitFor(async () => (await previewBody(form).textContent())?.includes('"blocks"'), {
      what: "Slack's preview",
    });
    const body = JSON.parse((await previewBody(form).textContent()) ?? "");
    expect(body.text).toContain("v3.1");
    expect(body.blocks[0].type).toBe("section");
    expect(await form.getByTestId("preview-content-type").textContent()).toBe("application/json");
    expect(await previewStatus(form).textContent()).toContain("Latest event: TAG_PUSH of v3.1");
    // No template field for a chat format.
    expect(await form.getByRole("textbox", { name: /^Template/ }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it("previews a sample for namespace and global webhooks, which have no repository of their own", async () => {
    const { page, problems } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/scoped-webhooks?namespace=team`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    let form = page.getByRole("dialog", { name: "Create webhook" });
    await form.getByLabel("Format").selectOption("template");
    await form.getByRole("textbox", { name: /^Template/ }).fill("{{ event.type }} in {{ event.repository }}");
    await waitFor(async () => (await previewBody(form).textContent()) === "TAG_PUSH in team/example", {
      what: "the namespace webhook's sample",
    });
    expect(await previewStatus(form).textContent()).toBe("Sample TAG_PUSH event. Nothing is sent.");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "hidden" });

    await page.goto(`${ui.hookyard.baseUrl}/ui/scoped-webhooks`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    form = page.getByRole("dialog", { name: "Create webhook" });
    await form.getByLabel("Format").selectOption("cloudevents");
    await waitFor(async () => (await previewBody(form).textContent())?.includes('"specversion": "1.0"'), {
      what: "the global webhook's CloudEvents sample",
    });
    expect(await previewStatus(form).textContent()).toBe("Sample TAG_PUSH event. Nothing is sent.");
    expect(await form.getByTestId("preview-content-type").textContent()).toBe(
      "application/cloudevents+json; charset=utf-8",
    );
    expect(problems).toEqual([]);
  }, 60_000);

  it("has no axe violation with the template editor and preview open, at desktop and phone width", async () => {
    // A fixed digest: the screenshots stay the same from run to run.
    await push("acme/axe", "v1.0", `sha256:${"3c60e2c144af".padEnd(64, "0")}`);
    const { page, form, problems } = await openCreateForm("acme/axe");
    await textField(form, "Name").fill("release notes");
    await textField(form, "URL").fill("https://127.0.0.1:9/notes");
    await form.getByLabel("Rate limit (deliveries per second)").fill("10");
    await form.getByLabel("Format").selectOption("template");
    await form
      .getByRole("textbox", { name: /^Template/ })
      .fill(
        '{\n  "text": {{ event.repository | append: ":" | append: event.tag | json }},\n  "by": {{ event.actor | json }},\n  "digest": {{ event.digest | short_digest | json }}\n}',
      );
    await waitFor(async () => (await previewStatus(form).textContent())?.includes("of v1.0"), {
      what: "the preview",
    });
    // The picture: the format, the editor and the preview, from the top of the dialog's view.
    // (the dialog's sticky title would cover what is scrolled to the very top: leave room for it).
    await form.getByLabel("Format").evaluate((el: any) => {
      el.scrollIntoView({ block: "start" });
      el.closest(".mantine-Modal-content")?.scrollBy(0, -100);
    });
    for (const viewport of [DESKTOP, PHONE]) {
      await resize(page, viewport);
      expect(await axeViolations(page), `axe at ${viewport.width}`).toEqual([]);
    }
    expect(await scrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await resize(page, DESKTOP);
    const { phoneScrollWidth } = await screenshots(page, "webhook-form-template");
    expect(phoneScrollWidth).toBeLessThanOrEqual(PHONE.width);
    expect(await preview(form).isVisible()).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);
});
