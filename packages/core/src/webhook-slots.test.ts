import { describe, expect, it } from "vitest";
import { HOLD_BACK_MIN_MS, UNKNOWN_IN_FLIGHT, WebhookSlots } from "./webhook-slots.js";

/** An attempt of `ms` on the webhook, taken and given back at made-up times. */
function attempt(slots: WebhookSlots, webhookId: string, ms: number, at = 1_000): void {
  slots.take(webhookId, at);
  slots.release(webhookId, at, at + ms);
}

describe("WebhookSlots", () => {
  it("lets each webhook have its share in flight, and no more", () => {
    const slots = new WebhookSlots(2, 10_000);
    expect([slots.take("wh_a", 1), slots.take("wh_a", 2), slots.take("wh_a", 3)]).toEqual([true, true, false]);
    expect(slots.take("wh_b", 4)).toBe(true);
    slots.release("wh_a", 1, 5);
    expect(slots.inFlightOf("wh_a")).toBe(1);
    expect(slots.take("wh_a", 6)).toBe(true);
    expect(slots.take("wh_a", 7)).toBe(false);
  });

  it("holds a job back about as long as its webhook's attempts take, within bounds", () => {
    const slots = new WebhookSlots(1, 10_000);
    const half = () => 0.5;
    expect(slots.holdBackMs("wh_new", half)).toBe(Math.round(HOLD_BACK_MIN_MS * 1.5));
    attempt(slots, "wh_slow", 10_000); // timed out
    expect(slots.holdBackMs("wh_slow", half)).toBe(15_000);
    attempt(slots, "wh_fast", 2);
    expect(slots.holdBackMs("wh_fast", half)).toBe(Math.round(HOLD_BACK_MIN_MS * 1.5));
    attempt(slots, "wh_late", 60_000); // longer than the timeout cannot be, but is capped anyway
    expect(slots.holdBackMs("wh_late", () => 0)).toBe(10_000);
  });

  it("holds back at least as long as the webhook's oldest attempt in flight has waited", () => {
    const slots = new WebhookSlots(2, 10_000);
    attempt(slots, "wh_a", 5); // answered fast until now
    slots.take("wh_a", 1_000);
    slots.take("wh_a", 1_500);
    expect(slots.holdBackMs("wh_a", () => 0, 4_000)).toBe(3_000);
    slots.release("wh_a", 1_000, 4_100);
    expect(slots.holdBackMs("wh_a", () => 0, 4_200)).toBe(2_700);
  });

  it("takes a webhook for fast while its answers come within the bound, and probes one not heard from yet", () => {
    const slots = new WebhookSlots(20, 10_000);
    // Not heard from: UNKNOWN_IN_FLIGHT attempts at a time count as fast.
    expect(slots.answersFast("wh_new", 250, 0)).toBe(true);
    for (let i = 0; i < UNKNOWN_IN_FLIGHT; i++) slots.take("wh_new", i);
    expect(slots.answersFast("wh_new", 250, 10)).toBe(false);

    attempt(slots, "wh_fast", 5);
    slots.take("wh_fast", 2_000);
    slots.take("wh_fast", 2_100);
    expect(slots.answersFast("wh_fast", 250, 2_200)).toBe(true);
    // Its oldest attempt in flight has now waited longer than the bound: it stopped answering.
    expect(slots.answersFast("wh_fast", 250, 2_300)).toBe(false);

    attempt(slots, "wh_slow", 10_000); // timed out
    expect(slots.answersFast("wh_slow", 250, 20_000)).toBe(false);
  });

  it("follows a webhook that slows down, and one that recovers", () => {
    const slots = new WebhookSlots(1, 10_000);
    for (let i = 0; i < 20; i++) attempt(slots, "wh_a", 10_000);
    expect(slots.holdBackMs("wh_a", () => 0)).toBeGreaterThan(9_000);
    for (let i = 0; i < 20; i++) attempt(slots, "wh_a", 10);
    expect(slots.holdBackMs("wh_a", () => 0)).toBeLessThan(200);
  });

  it("forgets the least recently seen webhooks past its limit", () => {
    const slots = new WebhookSlots(1, 10_000, 2);
    for (const id of ["wh_a", "wh_b", "wh_c"]) attempt(slots, id, 5_000);
    expect(slots.holdBackMs("wh_a", () => 0)).toBe(HOLD_BACK_MIN_MS);
    expect(slots.holdBackMs("wh_c", () => 0)).toBe(5_000);
  });
});
