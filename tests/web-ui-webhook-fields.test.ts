import { makeCertificate, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PHONE, screenshots, signIn } from "./support/browser.js";
import { ADMIN_TOKEN } from "./support/hookyard.js";
import { errorOf, textField, UiHarness } from "./support/web-ui-kit.js";

/*
 * Issue 28, item 1: the web UI shows and sets every field of a webhook that the API takes (custom
 * headers, TLS, tag filter, secret), has a details page of its own, and test sends choose their event type.
 */

let ui: UiHarness;

describe("web UI: every webhook field", () => {
  beforeAll(async () => {
    ui = await UiHarness.start();
  }, 60_000);
  afterAll(() => ui?.close());

  it("shows fields set through the API when editing and on the details page; saves headers; tests a chosen type", async () => {
    const receiver = ui.track(await startReceiver(() => ({ status: 200 })));
    const { cert } = await makeCertificate();
    const { id } = await ui.hookyard.createWebhook({
      name: "fields",
      url: `${receiver.url}/fields`,
      events: ["TAG_PUSH", "TAG_DELETE"],
      repository: "acme/fields",
      headers: { "X-Team": "platform", Authorization: "Bearer s3cret-value" },
      tlsCert: cert,
      skipTLSVerification: true,
      filter: { tags: ["v*"] },
      secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0",
    });
    const { page, problems } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);

    // The details page: its own address, every fact the API gives, no header value of a credential.
    await page.goto(`${ui.hookyard.baseUrl}/ui/webhooks/${id}`);
    await page.getByRole("heading", { name: "fields", level: 1 }).waitFor();
    const details = page.locator("main");
    const text = (await details.textContent()) ?? "";
    for (const fact of [id, `${receiver.url}/fields`, "acme/fields", "dtr", "TAG_PUSH", "TAG_DELETE", "v*"]) {
      expect(text, fact).toContain(fact);
    }
    expect(text).toContain("x-team");
    expect(text).toContain("authorization");
    expect(text).not.toContain("s3cret-value");
    expect(text).not.toContain("platform");
    await details.getByText("CA certificate given", { exact: false }).waitFor();
    await details.getByText("TLS verification is skipped", { exact: false }).waitFor();
    await details.getByText("Deliveries are signed", { exact: false }).waitFor();
    await details.getByText("Never", { exact: false }).first().waitFor(); // no success yet
    await details.getByRole("button", { name: "Copy webhook id" }).waitFor();
    const { phoneScrollWidth } = await screenshots(page, "webhook-details");
    expect(phoneScrollWidth).toBeLessThanOrEqual(PHONE.width);

    // Editing shows them in the form.
    await details.getByRole("button", { name: "Actions for fields" }).click();
    await page.getByRole("menuitem", { name: "Edit" }).click();
    const form = page.getByRole("dialog", { name: "Edit webhook fields" });
    expect(await form.getByLabel("Name of header 1").inputValue()).toBe("x-team");
    expect(await form.getByLabel("Value of header 1").inputValue()).toBe("platform");
    expect(await form.getByLabel("Name of header 2").inputValue()).toBe("authorization");
    // A credential's value is not shown back: the field is empty and says it is kept.
    expect(await form.getByLabel("Value of header 2").inputValue()).toBe("");
    expect(await form.getByLabel("Value of header 2").getAttribute("placeholder")).toContain("kept");
    expect(await form.getByLabel("CA certificate (PEM)").inputValue()).toBe(cert);
    expect(await form.getByLabel("Skip TLS verification").isChecked()).toBe(true);
    await form.getByText("anyone between Hookyard and the receiver", { exact: false }).waitFor();
    expect(await form.getByLabel("Tag filter").inputValue()).toBe("v*");

    // Adding a header: the hidden value must be given again, since the API replaces them all.
    await form.getByRole("button", { name: "Add header" }).click();
    await form.getByLabel("Name of header 3").fill("X-Env");
    await form.getByLabel("Value of header 3").fill("staging");
    await form.getByRole("button", { name: "Save webhook" }).click();
    expect(await errorOf(form.getByLabel("Value of header 2"))).toContain("Enter the value of authorization again");
    await screenshots(page, "webhook-form-headers");
    await form.getByLabel("Value of header 2").fill("Bearer new-value");
    await form.getByLabel("Skip TLS verification").uncheck();
    await form.getByRole("button", { name: "Save webhook" }).click();
    await form.waitFor({ state: "hidden" });
    const saved = (await ui.hookyard.request("GET", `/api/v1/webhooks/${id}`)).json;
    expect(saved.headers).toEqual({ "x-team": "platform", authorization: "[redacted]", "x-env": "staging" });
    expect(saved.skipTLSVerification).toBe(false);
    expect(saved.tlsCert).toBe(cert);

    // A test send of a chosen event type.
    await details.getByRole("button", { name: "Actions for fields" }).click();
    await page.getByRole("menuitem", { name: "Test" }).click();
    const test = page.getByRole("dialog", { name: "Test delivery to fields" });
    await test.getByLabel("Event type").selectOption("TAG_DELETE");
    await test.getByRole("button", { name: "Send test" }).click();
    await test.getByText("The receiver answered HTTP 200").waitFor();
    await waitFor(async () => receiver.requests.length === 1, { what: "the test at the receiver" });
    expect(receiver.requests[0]?.headers["x-hookyard-event"]).toBe("TAG_DELETE");
    expect(receiver.requests[0]?.headers.authorization).toBe("Bearer new-value");
    expect(receiver.requests[0]?.headers["x-env"]).toBe("staging");
    expect(problems).toEqual([]);
  }, 50_000);

  it("creates a webhook with headers, a CA certificate and a secret from the form", async () => {
    const { cert } = await makeCertificate();
    const { page } = await ui.session();
    await signIn(page, ui.hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${ui.hookyard.baseUrl}/ui/repositories/acme/made`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    const form = page.getByRole("dialog", { name: "Create webhook" });
    await textField(form, "Name").fill("made");
    await textField(form, "URL").fill("https://127.0.0.1:9/made");
    await form.getByRole("button", { name: "Add header" }).click();
    await form.getByLabel("Name of header 1").fill("X-Api-Key");
    await form.getByLabel("Value of header 1").fill("k-123");
    await form.getByLabel("CA certificate (PEM)").fill(cert);
    await form.getByLabel("Secret").fill("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await form.waitFor({ state: "hidden" });
    const listed = (await ui.hookyard.request("GET", "/api/v1/webhooks?repository=acme/made")).json.items;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ headers: { "x-api-key": "[redacted]" }, tlsCert: cert, hasSecret: true });
  }, 30_000);
});
