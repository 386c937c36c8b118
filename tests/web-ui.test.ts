import { newId } from "@hookyard/db";
import { freePort, manifestPush, type ReceivedRequest, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  axeViolations,
  type BrowserSession,
  DESKTOP,
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
import { errorOf } from "./support/web-ui-kit.js";

/*
 * The web UI (apps/web), built, served by the real API at /ui/ and driven in Debian's Chromium: the
 * pages a repository admin uses, from sign-in to a chain run, each checked with axe-core and
 * photographed for the README (docs/screenshots/).
 */

let hookyard: TestHookyard;
let browser: Browser;
const receivers: Receiver[] = [];
const sessions: BrowserSession[] = [];

const track = <T extends Receiver>(receiver: T): T => {
  receivers.push(receiver);
  return receiver;
};

async function session(): Promise<BrowserSession> {
  const opened = await openSession(browser);
  sessions.push(opened);
  return opened;
}

async function push(repository: string, tag: string): Promise<void> {
  const res = await hookyard.ingestDistribution(manifestPush({ repository, tag }));
  expect(res.status).toBe(202);
}

/** The deliveries of a webhook, as the API lists them. */
async function deliveriesOf(webhookId: string): Promise<Array<{ id: string; status: string; attempts: number }>> {
  const res = await hookyard.request("GET", `/api/v1/webhooks/${webhookId}/deliveries?limit=100`);
  expect(res.status).toBe(200);
  return res.json.items;
}

/**
 * Checks the page with axe-core (at desktop and at phone width) and writes its screenshots; at
 * phone width the page must not scroll sideways.
 */
async function checkPage(page: Page, name: string): Promise<void> {
  expect(await axeViolations(page), `axe on ${name}`).toEqual([]);
  const { phoneScrollWidth } = await screenshots(page, name, async () => {
    expect(await axeViolations(page), `axe on ${name} at phone width`).toEqual([]);
  });
  expect(phoneScrollWidth, `${name} at phone width`).toBeLessThanOrEqual(PHONE.width);
}

/** A receiver for a chain step: answers, then calls back at the delivery's callback_url like a CI job. */
async function callingBack(description: string): Promise<Receiver> {
  return startReceiver((req: ReceivedRequest) => {
    const url = (req.json as { callback_url?: string } | null)?.callback_url;
    if (url) {
      setTimeout(() => {
        void fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            state: "success",
            description,
            context: "Acme CI",
            target_url: "https://ci.acme.example/results/1",
          }),
        });
      }, 300);
    }
    return { status: 202 };
  });
}

describe("web UI in a real browser", () => {
  beforeAll(async () => {
    expect(webUiBuilt(), `${WEB_DIST_INDEX}: build the UI first (pnpm build)`).toBe(true);
    hookyard = await TestHookyard.start({
      env: {
        // The callback_url of a chain step is built from HOOKYARD_PUBLIC_URL, by default http://127.0.0.1:$PORT.
        PORT: String(await freePort()),
        // A receiver below takes its time so that the UI sees its delivery pending first.
        HOOKYARD_DELIVERY_TIMEOUT: "10s",
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

  it("signs in, creates a webhook through the form, and follows a push to its delivery and a redelivery", async () => {
    const receiver = track(
      await startReceiver(() => ({
        status: 200,
        headers: { "content-type": "text/plain" },
        body: "ok: deployed acme/web",
        delayMs: 4000,
      })),
    );
    // A push before any webhook: the repository is then one the admin sees.
    await push("acme/web", "v0");
    await waitFor(
      async () => {
        const res = await hookyard.request("GET", "/api/v1/repositories");
        return res.json?.items?.some((r: { repository: string }) => r.repository === "acme/web");
      },
      { what: "acme/web among the repositories" },
    );

    const { page, problems } = await session();
    await page.goto(`${hookyard.baseUrl}/ui/`);
    await page.getByLabel("API token").waitFor();
    await checkPage(page, "sign-in");

    await page.getByLabel("API token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Repositories", level: 1 }).waitFor();
    await page.getByRole("link", { name: "acme/web" }).waitFor();
    expect(await axeViolations(page), "axe on repositories").toEqual([]);

    // The search narrows the list, and says so when nothing matches.
    await page.getByLabel("Search repositories").fill("no-such-thing");
    await page.getByText("No repository matches").waitFor();
    await page.getByLabel("Search repositories").fill("acme/w");
    await page.getByRole("link", { name: "acme/web" }).click();

    await page.getByRole("heading", { name: "acme/web", level: 1 }).waitFor();
    expect(await page.getByRole("tab", { name: "Webhooks" }).getAttribute("aria-selected")).toBe("true");
    await page.getByText("No webhooks yet").waitFor();
    await page.getByRole("button", { name: "Create webhook" }).click();

    const form = page.getByRole("dialog", { name: "Create webhook" });
    await form.getByLabel("Name").fill("ci");
    await form.getByLabel("URL").fill(`${receiver.url}/hook`);
    expect(await form.getByRole("checkbox", { name: /\(TAG_PUSH\)/ }).isChecked()).toBe(true);
    // The repository's 11 types and Hookyard's own 4; none of a namespace or the registry.
    expect(await form.getByRole("group", { name: "Event types" }).getByRole("checkbox").count()).toBe(15);
    expect(await form.getByRole("checkbox", { name: /\((REPO_CREATED|SCANNER_UPDATE_COMPLETED)\)/ }).count()).toBe(0);
    expect(await form.getByRole("checkbox", { name: /\(DELIVERY_EXHAUSTED\)/ }).count()).toBe(1);
    await form.getByLabel("Tag filter").fill("v*, release-*");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await form.waitFor({ state: "hidden" });

    await page.getByRole("link", { name: "ci", exact: true }).waitFor();
    const listed = await hookyard.request("GET", "/api/v1/webhooks?repository=acme/web");
    expect(listed.json.items).toHaveLength(1);
    const webhook = listed.json.items[0];
    expect(webhook).toMatchObject({
      name: "ci",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      format: "dtr",
      repository: "acme/web",
      filter: { tags: ["v*", "release-*"] },
      enabled: true,
    });
    await page.getByText("None yet").waitFor();

    // A first push: the worker sends its delivery at once and writes it when the receiver has
    // answered (decision 0015); the 4 s it takes put the webhook in the slow lane.
    await push("acme/web", "v0");
    await waitFor(async () => (await deliveriesOf(webhook.id)).length === 1, {
      what: "the first delivery",
      timeoutMs: 15_000,
    });
    // The next push's delivery is written pending, then sent: pending while the receiver takes its time.
    await push("acme/web", "v1");
    await waitFor(async () => (await deliveriesOf(webhook.id)).length === 2, { what: "the delivery" });

    await page.getByRole("button", { name: "Actions for ci" }).click();
    await page.getByRole("menuitem", { name: "View history" }).click();
    await page.getByRole("heading", { name: "History of ci" }).waitFor();
    const row = page.locator("tbody tr").first();
    await row.getByText("pending").waitFor();
    // No reload: the page looks again by itself while a row is pending.
    await row.getByText("succeeded").waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain("HTTP 200");
    expect(await row.textContent()).toContain("TAG_PUSH");
    expect(await page.locator("tbody tr").count()).toBe(2);
    await checkPage(page, "history");

    // The status filter asks the API for that status alone.
    await page.getByLabel("Status").selectOption("failed");
    await page.getByText("No failed deliveries").waitFor();
    await page.getByLabel("Status").selectOption("");
    await row.getByText("succeeded").waitFor();

    await row.getByRole("link").click();
    await page.getByRole("heading", { name: /^Delivery dlv_/ }).waitFor();
    const first = page.getByRole("article", { name: "Attempt 1" });
    await first.getByText("ok: deployed acme/web").waitFor();
    expect(await first.textContent()).toContain("HTTP 200");
    expect((await first.textContent())?.toLowerCase()).toContain("x-hookyard-event: tag_push");

    await page.getByRole("button", { name: "Redeliver" }).click();
    const second = page.getByRole("article", { name: "Attempt 2" });
    await second.getByText("ok: deployed acme/web").waitFor({ timeout: 15_000 });
    await waitFor(async () => receiver.requests.length === 3, { what: "the redelivery at the receiver" });
    expect(receiver.requests[2]?.headers["webhook-id"]).toBe(receiver.requests[1]?.headers["webhook-id"]);

    // Back on the repository, the webhook's row shows how its last delivery went; a paused one says so.
    await hookyard.createWebhook({
      name: "audit log",
      url: `${receiver.url}/audit`,
      events: ["TAG_PUSH", "TAG_DELETE", "MANIFEST_PUSH"],
      repository: "acme/web",
      format: "cloudevents",
      enabled: false,
    });
    await page.getByRole("link", { name: "acme/web" }).click();
    await page.getByRole("heading", { name: "acme/web", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Last delivery of ci: succeeded" }).waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "audit log", exact: true }).waitFor();
    await checkPage(page, "repository-webhooks");
    expect(problems).toEqual([]);
  }, 90_000);

  it("runs each action of a webhook's menu, from the keyboard too", async () => {
    const receiver = track(await startReceiver(() => ({ status: 204 })));
    const webhook = await hookyard.createWebhook({
      name: "notify",
      url: `${receiver.url}/notify`,
      events: ["TAG_PUSH"],
      repository: "acme/menu",
    });
    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/repositories/acme/menu`);
    const actions = page.getByRole("button", { name: "Actions for notify" });
    const choose = async (item: string) => {
      await actions.click();
      await page.getByRole("menuitem", { name: item }).click();
    };

    // The menu opens and is walked with the keyboard alone.
    await actions.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("menuitem", { name: "Test" }).waitFor();
    const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.textContent as string);
    const seen: string[] = [];
    for (let i = 0; i < 6 && (await focused()) !== "Test"; i++) {
      seen.push(await focused());
      await page.keyboard.press("ArrowDown");
    }
    expect(await focused(), `focus went through ${JSON.stringify(seen)}`).toBe("Test");
    await page.keyboard.press("Enter");
    const tested = page.getByRole("dialog", { name: "Test delivery to notify" });
    // The dialog asks for the event type first (the webhook's first is chosen), then sends.
    expect(await tested.getByLabel("Event type").inputValue()).toBe("TAG_PUSH");
    await tested.getByRole("button", { name: "Send test" }).click();
    await tested.getByText("The receiver answered HTTP 204").waitFor();
    expect(receiver.requests).toHaveLength(1);
    await page.keyboard.press("Escape");
    await tested.waitFor({ state: "hidden" });

    await choose("Disable");
    await page.getByText("Paused", { exact: false }).first().waitFor();
    expect((await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}`)).json.enabled).toBe(false);
    await choose("Enable");
    await waitFor(async () => (await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}`)).json.enabled, {
      what: "the webhook enabled again",
    });

    await choose("Rotate secret");
    const rotate = page.getByRole("dialog", { name: "Rotate the secret of notify" });
    await rotate.getByRole("button", { name: "Rotate secret" }).click();
    const secret = ((await rotate.locator("pre").textContent()) ?? "").trim();
    expect(secret).toMatch(/^whsec_/);
    await rotate.getByRole("button", { name: "Done" }).click();
    expect((await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}`)).json.hasSecret).toBe(true);

    await choose("Edit");
    const edit = page.getByRole("dialog", { name: "Edit webhook notify" });
    await edit.getByLabel("Name").fill("notify chat");
    await edit.getByRole("button", { name: "Save webhook" }).click();
    await edit.waitFor({ state: "hidden" });
    await page.getByRole("link", { name: "notify chat", exact: true }).waitFor();

    await page.getByRole("button", { name: "Actions for notify chat" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete webhook notify chat?" });
    // Cancel keeps it; only the confirmation deletes.
    await confirm.getByRole("button", { name: "Cancel" }).click();
    expect((await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}`)).status).toBe(200);
    await page.getByRole("button", { name: "Actions for notify chat" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await confirm.getByRole("button", { name: "Delete webhook" }).click();
    await page.getByText("No webhooks yet").waitFor();
    expect((await hookyard.request("GET", `/api/v1/webhooks/${webhook.id}`)).status).toBe(404);
    expect(problems).toEqual([]);
  }, 60_000);

  it("shows a failing receiver's attempts, each with its response, and recovers them", async () => {
    let down = true;
    const failing = track(
      await startReceiver(() => ({
        status: down ? 500 : 200,
        headers: { "content-type": "application/json", "x-request-id": "req-42" },
        body: JSON.stringify(down ? { error: "database is down" } : { ok: true }),
      })),
    );
    const webhook = await hookyard.createWebhook({
      name: "deploy",
      url: `${failing.url}/deploy`,
      events: ["TAG_PUSH"],
      repository: "acme/api",
    });
    await push("acme/api", "v2");
    const [delivery] = await hookyard.settledDeliveries(webhook.id, 1);
    expect(delivery?.status).toBe("failed");

    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/webhooks/${webhook.id}/history`);
    await page.getByLabel("Status").selectOption("failed");
    const row = page.locator("tbody tr").first();
    await row.getByText("failed").waitFor();
    expect(await row.textContent()).toContain("HTTP 500");

    await row.getByRole("link").click();
    await page.getByRole("heading", { name: `Delivery ${delivery?.id}` }).waitFor();
    // HOOKYARD_RETRY_SCHEDULE of the tests is three delays: four attempts.
    const attempts = page.getByRole("article", { name: /^Attempt \d$/ });
    await attempts.nth(3).waitFor();
    expect(await attempts.count()).toBe(4);
    for (let i = 0; i < 4; i++) {
      const text = (await attempts.nth(i).textContent()) ?? "";
      expect(text).toContain("HTTP 500");
      expect(text).toContain("database is down");
      expect(text.toLowerCase()).toContain("x-request-id: req-42");
    }
    expect(await page.getByRole("button", { name: "Redeliver" }).isEnabled()).toBe(true);
    await checkPage(page, "delivery");

    // The receiver is back: Recover sends the failed delivery again, and the history follows it.
    down = false;
    await page.getByRole("link", { name: "deploy", exact: true }).click();
    await page.getByRole("heading", { name: "History of deploy" }).waitFor();
    await page.getByLabel("Recover deliveries since").fill("2020-01-01T00:00");
    await page.getByRole("button", { name: "Recover", exact: true }).click();
    await page.getByText("1 failed ones sent again", { exact: false }).waitFor();
    await page.locator("tbody tr").first().getByText("succeeded").waitFor({ timeout: 15_000 });
    expect(failing.requests).toHaveLength(5);

    // A time in the future is the API's 400, shown under the field.
    await page.getByLabel("Recover deliveries since").fill("2999-01-01T00:00");
    await page.getByRole("button", { name: "Recover", exact: true }).click();
    const since = page.getByLabel("Recover deliveries since");
    await waitFor(async () => (await errorOf(since)) !== "", { what: "the error of since" });
    expect(await errorOf(since)).toMatch(/^since: /);
    expect(problems).toEqual([]);
  }, 60_000);

  it("gives a namespace owner the namespace's webhooks, with its repository events", async () => {
    const token = await userWithGrants(hookyard, [{ namespace: "team" }]);
    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, token);
    expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
    // At phone width the navigation hides behind its button, and closes once a page is chosen.
    await page.setViewportSize(PHONE);
    const toggle = page.getByRole("button", { name: "Toggle navigation" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    await page.getByRole("link", { name: "Namespace & global webhooks" }).click();
    await page.getByRole("heading", { name: "Namespace & global webhooks", level: 1 }).waitFor();
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await page.setViewportSize(DESKTOP);
    // No global scope for a namespace owner: only its namespace.
    expect(await page.getByLabel("Scope").locator("option").allTextContents()).toEqual(["Namespace team"]);
    await page.getByText("No webhooks yet").waitFor();
    await page.getByRole("button", { name: "Create webhook" }).click();

    const form = page.getByRole("dialog", { name: "Create webhook" });
    await form.getByLabel("Name").waitFor();
    // The namespace's own types, those of its repositories and Hookyard's own; not the registry's.
    expect(await form.getByRole("group", { name: "Event types" }).getByRole("checkbox").count()).toBe(18);
    expect(await form.getByRole("checkbox", { name: /SCANNER_UPDATE_COMPLETED/ }).count()).toBe(0);
    await form.getByLabel("Name").fill("new repositories");
    await form.getByLabel("URL").fill("http://127.0.0.1:9/repos");
    await form.getByRole("checkbox", { name: /\(TAG_PUSH\)/ }).uncheck();
    await form.getByRole("checkbox", { name: /\(REPO_CREATED\)/ }).check();
    await form.getByLabel("Format").selectOption("cloudevents");
    await form.getByRole("button", { name: "Create webhook" }).click();
    await form.waitFor({ state: "hidden" });
    await page.getByRole("link", { name: "new repositories", exact: true }).waitFor();
    expect(await axeViolations(page), "axe on namespace webhooks").toEqual([]);

    const created = await hookyard.request("GET", "/api/v1/webhooks?namespace=team");
    expect(created.json.items).toMatchObject([
      {
        name: "new repositories",
        namespace: "team",
        repository: null,
        events: ["REPO_CREATED"],
        format: "cloudevents",
      },
    ]);
    expect(problems).toEqual([]);
  }, 60_000);

  it("creates a chain through the form and shows its run step by step", async () => {
    const tests = track(await callingBack("387 tests PASSED"));
    const deploy = track(await callingBack("deployed to staging"));
    // Made in the wrong order on purpose: the form puts them right.
    const deployHook = await hookyard.createWebhook({
      name: "deploy",
      url: `${deploy.url}/deploy`,
      events: ["TAG_PUSH"],
      repository: "acme/shop",
      format: "dockerhub",
    });
    const testsHook = await hookyard.createWebhook({
      name: "tests",
      url: `${tests.url}/tests`,
      events: ["TAG_PUSH"],
      repository: "acme/shop",
      format: "dockerhub",
    });

    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/repositories/acme/shop`);
    await page.getByRole("tab", { name: "Chains" }).click();
    await page.getByText("No chains yet").waitFor();
    await page.getByRole("button", { name: "Create chain" }).click();

    const form = page.getByRole("dialog", { name: "Create chain" });
    await form.getByLabel("Name").fill("test, then deploy");
    await form.getByLabel("Webhook to add").selectOption({ label: "deploy" });
    await form.getByRole("button", { name: "Add step" }).click();
    await form.getByLabel("Webhook to add").selectOption({ label: "tests" });
    await form.getByRole("button", { name: "Add step" }).click();
    await form.getByRole("button", { name: "Move tests up" }).click();
    // Each item: the webhook's name, then its (aria-hidden) arrows.
    const order = (await form.getByRole("listitem").allTextContents()).map((t) => t.replace(/[↑↓×]/g, ""));
    expect(order).toEqual(["tests", "deploy"]);
    await form.getByRole("button", { name: "Create chain" }).click();
    await form.waitFor({ state: "hidden" });

    const chains = await hookyard.request("GET", "/api/v1/chains?repository=acme/shop");
    expect(chains.json.items).toHaveLength(1);
    expect(chains.json.items[0].webhooks).toEqual([testsHook.id, deployHook.id]);
    await page.getByRole("heading", { name: "test, then deploy" }).waitFor();
    await checkPage(page, "chains");

    await push("acme/shop", "v3");
    await page.getByRole("link", { name: "Runs of test, then deploy" }).click();
    await page.getByRole("heading", { name: "Chain test, then deploy" }).waitFor();
    await page.locator("tbody tr").first().getByRole("link").click();
    await page.getByRole("heading", { name: "Run of test, then deploy" }).waitFor();

    // The page follows the run by itself until it ends.
    const summary = page.getByRole("region", { name: "Summary" });
    await summary.getByText("completed").waitFor({ timeout: 20_000 });
    const step1 = page.getByRole("article", { name: "Step 1: tests" });
    const step2 = page.getByRole("article", { name: "Step 2: deploy" });
    await step2.getByText("deployed to staging").waitFor();
    for (const [step, description] of [
      [step1, "387 tests PASSED"],
      [step2, "deployed to staging"],
    ] as const) {
      const text = (await step.textContent()) ?? "";
      expect(text).toContain(description);
      expect(text).toContain("Acme CI");
      expect(text).toContain("https://ci.acme.example/results/1");
      expect(text).toContain("HTTP 202");
      expect(text).toContain("success");
    }
    expect(tests.requests).toHaveLength(1);
    expect(deploy.requests).toHaveLength(1);
    await checkPage(page, "chain-run");
    expect(problems).toEqual([]);
  }, 90_000);

  it("shows a user without a grant no such repository, and none by URL either", async () => {
    const hidden = await hookyard.createWebhook({
      name: "private deploy",
      url: "http://127.0.0.1:9/never",
      events: ["TAG_PUSH"],
      repository: "acme/private",
    });
    const token = await userWithGrants(hookyard, [{ repository: "other/thing" }]);

    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, token);
    await page.getByRole("link", { name: "other/thing" }).waitFor();
    expect(await page.getByRole("link", { name: "acme/private" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Namespace & global webhooks" }).count()).toBe(0);
    await page.getByLabel("Search repositories").fill("acme");
    await page.getByText("No repository matches").waitFor();

    await page.goto(`${hookyard.baseUrl}/ui/repositories/acme/private`);
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    expect(await page.getByRole("button", { name: "Create webhook" }).count()).toBe(0);
    expect(await page.getByText("private deploy").count()).toBe(0);

    await page.goto(`${hookyard.baseUrl}/ui/webhooks/${hidden.id}/history`);
    await page.getByRole("heading", { name: "Not found" }).waitFor();
    expect(await page.getByText("private deploy").count()).toBe(0);

    await page.goto(`${hookyard.baseUrl}/ui/users`);
    await page.getByRole("heading", { name: "Not found" }).waitFor();

    // Its own repository works as any other.
    await page.goto(`${hookyard.baseUrl}/ui/repositories/other/thing`);
    await page.getByText("No webhooks yet").waitFor();
    expect(problems).toEqual([]);
  }, 60_000);

  it("shows each error beside the field it names, in plain words", async () => {
    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/repositories/acme/forms`);
    await page.getByRole("button", { name: "Create webhook" }).click();
    const form = page.getByRole("dialog", { name: "Create webhook" });
    const url = form.getByLabel("URL");
    const tags = form.getByLabel("Tag filter");
    const submit = form.getByRole("button", { name: "Create webhook" });

    await form.getByLabel("Name").fill("bad one");
    await url.fill("ftp://example.com/hook");
    await submit.click();
    await waitFor(async () => (await errorOf(url)) !== "", { what: "the URL's error" });
    // Found before sending (the API's rule, tests/web-ui-limits.test.ts), said with the field's label.
    expect(await errorOf(url)).toBe("URL must be an http or https URL");
    expect(await url.getAttribute("aria-invalid")).toBe("true");
    expect(await errorOf(tags)).toBe("");
    expect(await form.getByRole("alert").count()).toBe(0);
    expect(await axeViolations(page), "axe on the form with an error").toEqual([]);
    await form.getByLabel("Name").scrollIntoViewIfNeeded();
    await screenshots(page, "webhook-form");

    await url.fill("http://127.0.0.1:9/hook");
    await tags.fill("v*, not a glob!");
    await submit.click();
    await waitFor(async () => (await errorOf(tags)) !== "", { what: "the tag filter's error" });
    // Found by the API: its `filter.tags[1]: ...` shown at the tag filter, named by its label.
    expect(await errorOf(tags)).toMatch(/^Tag filter /);
    expect(await errorOf(url)).toBe("");

    // No event type: the error goes to the group of checkboxes.
    await tags.fill("");
    await form.getByRole("checkbox", { name: /\(TAG_PUSH\)/ }).uncheck();
    await submit.click();
    const group = form.getByRole("group", { name: "Event types" });
    await waitFor(async () => (await errorOf(group)) !== "", { what: "the event types' error" });
    expect(await errorOf(group)).toBe("Choose at least one event type");

    expect((await hookyard.request("GET", "/api/v1/webhooks?repository=acme/forms")).json.items).toHaveLength(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it("keeps the session in an HttpOnly cookie and ends it on sign-out or expiry", async () => {
    const { page, context, problems } = await session();
    await page.goto(`${hookyard.baseUrl}/ui/repositories`);
    // Not signed in: the page asks for a token, and goes where it was asked to after sign-in.
    await page.getByLabel("API token").fill("not-a-valid-token-0123456789");
    await page.getByRole("button", { name: "Sign in" }).click();
    const tokenField = page.getByLabel("API token");
    await waitFor(async () => (await errorOf(tokenField)).includes("not valid"), { what: "the sign-in error" });

    await tokenField.fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Repositories", level: 1 }).waitFor();
    const [cookie] = (await context.cookies()).filter((c) => c.name === "hookyard_session");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    const stored = await page.evaluate(() => {
      const g = globalThis as any;
      return `${g.document.cookie} ${JSON.stringify(g.localStorage)} ${JSON.stringify(g.sessionStorage)}`;
    });
    expect(stored).not.toContain(ADMIN_TOKEN);
    expect(stored).not.toContain(cookie?.value);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You have signed out.").waitFor();
    expect((await page.request.get(`${hookyard.baseUrl}/api/v1/session`)).status()).toBe(401);
    await page.goto(`${hookyard.baseUrl}/ui/repositories`);
    await page.getByLabel("API token").waitFor();

    // A session that ends behind the page's back (expired, or its cookie gone) sends it to sign-in.
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    // Once the page has what it asked for: what it asks next meets the ended session.
    await page.waitForLoadState("networkidle");
    await context.clearCookies();
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByText("Your session has expired").waitFor();
    await page.getByLabel("API token").waitFor();
    expect(problems).toEqual([]);
  }, 60_000);

  it("pages a list longer than one page: every webhook of a repository, each on one page", async () => {
    const names = Array.from({ length: 45 }, (_, i) => `hook ${String(i + 1).padStart(2, "0")}`);
    const ids = names.map(() => newId("webhook"));
    await hookyard.db.$executeRaw`
      INSERT INTO webhooks (id, name, url, events, namespace, repository)
      SELECT id, name, 'http://127.0.0.1:9/paged', ARRAY['TAG_PUSH'], 'paged', 'paged/many'
      FROM unnest(${ids}::text[], ${names}::text[]) AS t(id, name)`;
    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.goto(`${hookyard.baseUrl}/ui/repositories/paged/many`);
    const table = page.getByRole("table", { name: "Current webhooks" });
    const pager = page.getByRole("navigation", { name: "Pages of webhooks" });
    const shownNames = () => table.locator("tbody tr td:first-child a").allTextContents();
    /** Waits for the page whose first row is `first`, and gives its names. */
    const pageStarting = async (first: string) => {
      await table.getByRole("link", { name: first, exact: true }).waitFor();
      await pager.getByText(/^\d+–\d+ of 45$/).waitFor();
      const shown = await shownNames();
      expect(shown[0]).toBe(first);
      return shown;
    };

    const first = await pageStarting("hook 45"); // newest first
    expect(first).toHaveLength(20);
    expect(await pager.getByRole("button", { name: "Previous page" }).isDisabled()).toBe(true);
    expect(await axeViolations(page), "axe on a paged list").toEqual([]);
    await pager.getByRole("button", { name: "Next page" }).click();
    const second = await pageStarting("hook 25");
    expect(await pager.getByText("21–40 of 45").count()).toBe(1);
    await pager.getByRole("button", { name: "Next page" }).click();
    const third = await pageStarting("hook 05");
    expect(third).toEqual(["hook 05", "hook 04", "hook 03", "hook 02", "hook 01"]);
    expect(await pager.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
    expect([...first, ...second, ...third].sort()).toEqual(names);

    await pager.getByRole("button", { name: "Previous page" }).click();
    expect(await pageStarting("hook 25")).toEqual(second);
    expect(problems).toEqual([]);
    // Out of the repositories' picture the next test takes.
    await hookyard.db.webhook.updateMany({
      where: { repository: "paged/many" },
      data: { deletedAt: new Date(), enabled: false },
    });
  }, 60_000);

  it("lets a global admin create a user, show its token once, and grant it a repository", async () => {
    const { page, problems } = await session();
    await signIn(page, hookyard.baseUrl, ADMIN_TOKEN);
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    await page.getByLabel("User name").fill("ci-bot");
    await page.getByRole("button", { name: "Create user" }).click();
    const shown = page.getByRole("dialog", { name: "The new user's API token" });
    const token = ((await shown.getByTestId("secret-once").textContent()) ?? "").trim();
    expect(token.length).toBeGreaterThan(16);
    await shown.getByRole("button", { name: "Done" }).click();
    await checkPage(page, "users");

    await page.getByRole("link", { name: "ci-bot" }).click();
    await page.getByRole("heading", { name: "ci-bot", level: 1 }).waitFor();
    await page.getByLabel("Repository").fill("acme/granted");
    await page.getByRole("button", { name: "Add grant" }).click();
    await page.getByText("admin of repository acme/granted").waitFor();
    expect(await axeViolations(page), "axe on a user's page").toEqual([]);

    // The token works, and its holder now sees the repository.
    const me = await hookyard.request("GET", "/api/v1/me", { token });
    expect(me.json).toMatchObject({ name: "ci-bot", repositories: ["acme/granted"] });

    // Last, when the tests before have made a few: the repositories' picture.
    await page.getByRole("link", { name: "Repositories" }).click();
    await page.getByRole("link", { name: "acme/shop" }).waitFor();
    await checkPage(page, "repositories");
    expect(problems).toEqual([]);
  }, 60_000);
});
