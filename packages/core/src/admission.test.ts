import { describe, expect, it } from "vitest";
import { Admission, DEFER_MAX_MS, DEFER_MIN_MS, FAST_MS, laneCaps, type Ticket } from "./admission.js";

const options = { perWebhook: 3, slowCap: 2, unknownCap: 4, longestMs: 10_000 };

/** One whole attempt of `ms` on the webhook, at made-up times; answered unless said. */
function attempt(admission: Admission, webhookId: string, ms: number, answered = true, at = 1_000): void {
  const ticket = admission.take(webhookId, at) as Ticket;
  expect(ticket).not.toBeNull();
  admission.release(ticket, { answered }, at + ms);
}

describe("Admission", () => {
  it("lets each webhook have its share in flight, and no more", () => {
    const admission = new Admission({ ...options, unknownCap: 10 });
    attempt(admission, "wh_a", 5);
    const tickets = [admission.take("wh_a", 10), admission.take("wh_a", 11), admission.take("wh_a", 12)];
    expect(tickets.map((t) => t !== null)).toEqual([true, true, true]);
    expect(admission.take("wh_a", 13)).toBeNull();
    expect(admission.take("wh_b", 13)).not.toBeNull();
    admission.release(tickets[0] as Ticket, { answered: true }, 20);
    expect(admission.inFlightOf("wh_a")).toBe(2);
    expect(admission.take("wh_a", 21)).not.toBeNull();
  });

  it("puts a webhook in the slow lane when its answers take long, or after one attempt gets no answer at all", () => {
    const admission = new Admission(options);
    expect(admission.lane("wh_new", 0)).toBe("unknown");
    attempt(admission, "wh_fast", 20);
    expect(admission.lane("wh_fast", 2_000)).toBe("fast");
    attempt(admission, "wh_slow", 8_000);
    expect(admission.lane("wh_slow", 20_000)).toBe("slow");
    // A refused connection answers in a millisecond, and still says nothing good of the receiver.
    attempt(admission, "wh_refused", 1, false);
    expect(admission.lane("wh_refused", 2_000)).toBe("slow");
  });

  it("counts a webhook slow while an attempt of it has waited longer than an answer takes", () => {
    const admission = new Admission(options);
    attempt(admission, "wh_a", 20);
    admission.take("wh_a", 5_000);
    expect(admission.lane("wh_a", 5_000 + FAST_MS - 1)).toBe("fast");
    expect(admission.lane("wh_a", 5_000 + FAST_MS)).toBe("slow");
    // Of one never heard from, the same.
    admission.take("wh_new", 5_000);
    expect(admission.lane("wh_new", 5_000 + FAST_MS)).toBe("slow");
  });

  it("caps the slow lane for all slow webhooks together, so fast ones keep the rest", () => {
    const admission = new Admission({ ...options, slowCap: 2 });
    for (const id of ["wh_dead1", "wh_dead2", "wh_dead3"]) attempt(admission, id, 10_000, false, 0);
    expect(admission.take("wh_dead1", 20_000)).not.toBeNull();
    expect(admission.take("wh_dead2", 20_000)).not.toBeNull();
    expect(admission.take("wh_dead3", 20_000)).toBeNull();
    expect(admission.take("wh_dead1", 20_000)).toBeNull();
    attempt(admission, "wh_healthy", 10, true, 20_001);
    expect(admission.counts(20_002)).toEqual({ fast: 0, slow: 2, unknown: 0 });
  });

  it("caps attempts to webhooks not heard from yet: one each until it answers, and the lane's share together", () => {
    const admission = new Admission({ ...options, slowCap: 2, unknownCap: 3 });
    expect(admission.take("wh_a", 0)).not.toBeNull();
    expect(admission.take("wh_a", 0)).toBeNull(); // UNKNOWN_IN_FLIGHT: its first answer first
    expect(admission.take("wh_b", 0)).not.toBeNull();
    expect(admission.take("wh_c", 0)).not.toBeNull();
    expect(admission.take("wh_d", 0)).toBeNull();
    expect(admission.counts(1)).toEqual({ fast: 0, slow: 0, unknown: 3 });
  });

  it("counts an attempt that hangs to a webhook not heard from as slow", () => {
    const admission = new Admission({ ...options, slowCap: 2, unknownCap: 3 });
    expect(admission.take("wh_dead", 0)).not.toBeNull();
    expect(admission.counts(FAST_MS)).toEqual({ fast: 0, slow: 1, unknown: 0 });
    expect(admission.take("wh_dead", FAST_MS)).not.toBeNull(); // now through the slow lane
    expect(admission.take("wh_dead", FAST_MS)).toBeNull();
  });

  it("bounds the slow and unknown lanes together, however many receivers stop answering at once; fast webhooks still get in", () => {
    const admission = new Admission({ ...options, slowCap: 2, unknownCap: 5 });
    attempt(admission, "wh_known", 5, true, 0);
    let admitted = 0;
    for (let i = 0; i < 50; i++) {
      // A new receiver each 300 ms, none answering: each is slow once its first attempt hangs.
      if (admission.take(`wh_dead${i}`, i * 300)) admitted++;
      if (admission.take(`wh_dead${i}`, i * 300 + FAST_MS)) admitted++;
    }
    expect(admitted).toBe(5);
    const now = 50 * 300;
    expect(admission.counts(now)).toEqual({ fast: 0, slow: 5, unknown: 0 });
    expect(admission.take("wh_dead0", now)).toBeNull();
    expect(admission.take("wh_new", now)).toBeNull();
    expect(admission.take("wh_known", now)).not.toBeNull();
  });

  it("learns nothing from a ticket given back without sending", () => {
    const admission = new Admission(options);
    attempt(admission, "wh_a", 10_000, false);
    const ticket = admission.take("wh_a", 20_000) as Ticket;
    admission.release(ticket, null, 20_001);
    expect(admission.lane("wh_a", 20_002)).toBe("slow");
    expect(admission.counts(20_002)).toEqual({ fast: 0, slow: 0, unknown: 0 });
  });

  it("moves a webhook back to the fast lane with its first fast answer", () => {
    const admission = new Admission(options);
    attempt(admission, "wh_a", 10_000, false);
    attempt(admission, "wh_a", 9_000, true, 20_000);
    expect(admission.lane("wh_a", 40_000)).toBe("slow");
    attempt(admission, "wh_a", 15, true, 40_000);
    expect(admission.lane("wh_a", 40_100)).toBe("fast");
  });

  it("defers a fast webhook's refused attempt about as long as its attempts take, never less than the floor", () => {
    const admission = new Admission(options);
    attempt(admission, "wh_a", 2);
    expect(admission.deferMs("wh_a", 2_000, () => 0)).toBe(DEFER_MIN_MS);
    attempt(admission, "wh_b", 100);
    expect(admission.deferMs("wh_b", 2_000, () => 1)).toBe(150);
  });

  it("spreads a dead webhook's deferred attempts out one behind the other, up to the bound", () => {
    const admission = new Admission({ ...options, perWebhook: 2, slowCap: 2 });
    attempt(admission, "wh_dead", 10_000, false);
    const now = 20_000;
    const delays = Array.from({ length: 4 }, () => admission.deferMs("wh_dead", now, () => 0));
    // 10 s per attempt over 2 slots: one every 5 s.
    expect(delays).toEqual([5_000, 10_000, 15_000, 20_000]);
    for (let i = 0; i < 2_000; i++) admission.deferMs("wh_dead", now, () => 0);
    expect(admission.deferMs("wh_dead", now, () => 0)).toBe(DEFER_MAX_MS);
  });

  it("spreads the deferrals of a webhook whose first attempt hangs as a dead one's, up to the bound", () => {
    const admission = new Admission({ ...options, perWebhook: 2, slowCap: 2 });
    admission.take("wh_new", 0);
    const now = FAST_MS * 4;
    expect(admission.lane("wh_new", now)).toBe("slow");
    // 1 s in flight over 2 slots: one every 0.5 s, 7,200 to the hour.
    for (let i = 0; i < 7_200; i++) admission.deferMs("wh_new", now, () => 0);
    expect(admission.deferMs("wh_new", now, () => 0)).toBe(DEFER_MAX_MS);
  });

  it("spreads a slowly answering webhook's deferred attempts no further out than twice how long it has been slow", () => {
    const admission = new Admission({ ...options, perWebhook: 2, slowCap: 2 });
    attempt(admission, "wh_slow", 2_000);
    const now = 20_000;
    // 2 s per attempt over 2 slots: one every second; slow since just now: one timeout (10 s) out at most.
    const delays = Array.from({ length: 12 }, () => admission.deferMs("wh_slow", now, () => 0));
    expect(delays.slice(0, 3)).toEqual([1_000, 2_000, 3_000]);
    expect(Math.max(...delays)).toBe(10_000);
    // Slow for 30 s: up to a minute out; for hours: up to the bound.
    const later = Array.from({ length: 100 }, () => admission.deferMs("wh_slow", now + 30_000, () => 0));
    expect(Math.max(...later)).toBe(60_000);
    const hours = now + 7_200_000;
    for (let i = 0; i < 20_000; i++) admission.deferMs("wh_slow", hours, () => 0);
    expect(admission.deferMs("wh_slow", hours, () => 0)).toBe(DEFER_MAX_MS);
  });

  it("shares the slow lane among the slow webhooks with deferred attempts: more of them, each spread wider", () => {
    const admission = new Admission({ ...options, perWebhook: 10, slowCap: 4 });
    for (const id of ["wh_a", "wh_b", "wh_c", "wh_d"]) attempt(admission, id, 10_000, false);
    const now = 20_000;
    expect(admission.deferMs("wh_a", now, () => 0)).toBe(2_500); // alone: 4 slots
    expect(admission.deferMs("wh_b", now, () => 0)).toBe(5_000); // two share: 2 slots each
    admission.deferMs("wh_c", now, () => 0);
    expect(admission.deferMs("wh_d", now, () => 0)).toBe(10_000); // four share: 1 each
    // Once all their deferrals have come due, webhooks no longer share: alone again.
    expect(admission.deferMs("wh_a", now + 60_000, () => 0)).toBe(2_500);
  });

  it("defers a fast webhook held up by one slow answer briefly, not behind a spread-out backlog", () => {
    // Its receiver answers in 30 ms; one answer takes 400 ms (a loaded machine, a GC pause): while
    // that one is in flight the webhook counts as slow, and a fan-out defers hundreds of deliveries.
    const admission = new Admission({ ...options, perWebhook: 10, slowCap: 2 });
    attempt(admission, "wh_a", 30);
    admission.take("wh_a", 2_000);
    const now = 2_000 + FAST_MS + 50;
    expect(admission.lane("wh_a", now)).toBe("slow");
    const delays = Array.from({ length: 500 }, () => admission.deferMs("wh_a", now, () => 0));
    // Each comes back after about as long as that attempt has taken: it has answered by then, or
    // it hangs, and then the deferrals are spread (the test above).
    expect(Math.max(...delays)).toBe(FAST_MS + 50);
  });

  it("forgets a slow webhook's deferrals once it answers fast", () => {
    const admission = new Admission({ ...options, perWebhook: 2, slowCap: 2 });
    attempt(admission, "wh_a", 10_000, false);
    for (let i = 0; i < 10; i++) admission.deferMs("wh_a", 20_000, () => 0);
    attempt(admission, "wh_a", 5, true, 20_000);
    attempt(admission, "wh_a", 10_000, false, 30_000);
    expect(admission.deferMs("wh_a", 50_000, () => 0)).toBe(5_000);
  });

  it("forgets the least recently heard from idle webhook past its bound", () => {
    const admission = new Admission({ ...options, remembered: 2 });
    attempt(admission, "wh_a", 10_000, false);
    attempt(admission, "wh_b", 10_000, false);
    attempt(admission, "wh_c", 10_000, false);
    expect(admission.lane("wh_a", 50_000)).toBe("unknown");
    expect(admission.lane("wh_c", 50_000)).toBe("slow");
  });

  it("gives each lane at least one attempt whatever the concurrency", () => {
    expect(laneCaps(1)).toEqual({ slowCap: 1, unknownCap: 2 });
    expect(laneCaps(10)).toEqual({ slowCap: 2, unknownCap: 5 });
    expect(laneCaps(50)).toEqual({ slowCap: 10, unknownCap: 25 });
  });
});
