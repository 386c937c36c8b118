import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (scripts/test-prerequisites.sh installs it); Playwright's own download is not reachable. */
export const CHROMIUM = "/usr/bin/chromium";

/** The built web UI the API serves at /ui/ (`pnpm build` makes it). */
export const WEB_DIST_INDEX = new URL("../../apps/web/dist/index.html", import.meta.url).pathname;

const SCREENSHOTS = new URL("../../docs/screenshots/", import.meta.url).pathname;

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export function launchChromium(): Promise<Browser> {
  // Root needs --no-sandbox, and the machine has no network for Chromium's own background connections.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors other than failed loads (a 401 is how the UI learns it is signed out). */
  problems: string[];
}

/** A fresh browser profile (no cookies) at desktop size, times shown in UTC, English. */
export async function openSession(browser: Browser): Promise<BrowserSession> {
  const context = await browser.newContext({
    viewport: DESKTOP,
    locale: "en-US",
    timezoneId: "UTC",
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  return { context, page, problems };
}

export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated, not added as a <script>: the UI's Content-Security-Policy allows no inline script.
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const results = await axe.run((globalThis as any).document, { resultTypes: ["violations"] });
    return results.violations as AxeViolation[];
  });
  // Every impact, minor and moderate too: the UI's bar is that axe finds nothing (issues 27, 28).
  return violations.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help} at ${v.nodes
        .slice(0, 3)
        .map((n) => JSON.stringify(n.target))
        .join(", ")}`,
  );
}

/**
 * docs/screenshots/<name>-desktop.png and <name>-phone.png of the page as it is. At phone width the
 * page must not scroll sideways as a whole (wide tables scroll inside their own container); the
 * width the document needs is returned for the test to check.
 */
export async function screenshots(
  page: Page,
  name: string,
  atPhoneWidth?: () => Promise<void>,
): Promise<{ phoneScrollWidth: number }> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Toasts come and go with timing: they would make the pictures differ from run to run.
  const style = ".mantine-Notifications-root { display: none !important; }";
  await page.screenshot({ path: `${SCREENSHOTS}${name}-desktop.png`, style, animations: "disabled" });
  await page.setViewportSize(PHONE);
  try {
    await page.waitForFunction((width) => (globalThis as any).innerWidth === width, PHONE.width);
    await page.screenshot({ path: `${SCREENSHOTS}${name}-phone.png`, style, animations: "disabled" });
    const phoneScrollWidth = await page.evaluate(
      () => (globalThis as any).document.documentElement.scrollWidth as number,
    );
    await atPhoneWidth?.();
    return { phoneScrollWidth };
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

export function webUiBuilt(): boolean {
  return existsSync(WEB_DIST_INDEX);
}
