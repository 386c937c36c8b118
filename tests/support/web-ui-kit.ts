import { freePort, type Receiver } from "@hookyard/testkit";
import type { Browser, Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { type BrowserSession, launchChromium, openSession, WEB_DIST_INDEX, webUiBuilt } from "./browser.js";
import { TestHookyard } from "./hookyard.js";

/*
 * What the tests/web-ui-*.test.ts files share: a Hookyard with its built UI, one Chromium, and the
 * checks a user (or an assistive technology) would make of a page.
 */

export class UiHarness {
  readonly sessions: BrowserSession[] = [];
  readonly receivers: Receiver[] = [];

  private constructor(
    readonly hookyard: TestHookyard,
    readonly browser: Browser,
  ) {}

  static async start(): Promise<UiHarness> {
    expect(webUiBuilt(), `${WEB_DIST_INDEX}: build the UI first (pnpm build)`).toBe(true);
    const hookyard = await TestHookyard.start({ env: { PORT: String(await freePort()) } });
    return new UiHarness(hookyard, await launchChromium());
  }

  async session(): Promise<BrowserSession> {
    const opened = await openSession(this.browser);
    this.sessions.push(opened);
    return opened;
  }

  track<T extends Receiver>(receiver: T): T {
    this.receivers.push(receiver);
    return receiver;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) await s.context.close().catch(() => {});
    await this.browser?.close();
    await Promise.all(this.receivers.map((r) => r.close()));
    await this.hookyard?.close();
  }
}

/** The text of the error message a control points at (aria-describedby), or "" when it shows none. */
export async function errorOf(control: Locator): Promise<string> {
  // The root tsconfig has no DOM library: the page's objects are typed loosely here.
  return control.evaluate((element: any) => {
    const document = (globalThis as any).document;
    const ids = (element.getAttribute("aria-describedby") ?? "").split(/\s+/).filter(Boolean);
    return ids
      .map((id: string) => document.getElementById(id))
      .filter((node: any) => node?.className?.includes("error"))
      .map((node: any) => node.textContent)
      .join(" ");
  });
}

/** The accessible name or text of the element that has focus, with its tag. */
export function focused(page: Page): Promise<{ tag: string; label: string }> {
  return page.evaluate(() => {
    const el = (globalThis as any).document.activeElement;
    const labelled = el?.labels?.[0]?.textContent ?? el?.getAttribute?.("aria-label") ?? el?.textContent ?? "";
    return { tag: String(el?.tagName ?? "").toLowerCase(), label: String(labelled).trim() };
  });
}

/** Whether the element's box lies within the viewport (the user can see it without scrolling). */
export function inView(locator: Locator): Promise<boolean> {
  return locator.evaluate((el: any) => {
    const r = el.getBoundingClientRect();
    const g = globalThis as any;
    return r.top >= 0 && r.bottom <= g.innerHeight && r.height > 0;
  });
}

export const scrollWidth = (page: Page): Promise<number> =>
  page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);

/** A form's text field by its label alone: a required field's label ends with " *", and "Name" must
 * not also find "Name of header 1". */
export function textField(scope: Page | Locator, label: string): Locator {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return scope.getByRole("textbox", { name: new RegExp(`^${escaped}\\s*\\*?$`) });
}

/** Sets the viewport and waits until the page has re-rendered for it (tables become cards at phone
 * width: a click in between could land on what is being replaced). */
export async function resize(page: Page, viewport: { width: number; height: number }): Promise<void> {
  await page.setViewportSize(viewport);
  await page.waitForFunction((width) => (globalThis as any).innerWidth === width, viewport.width);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(() => resolve())),
      ),
  );
}
