import { describe, expect, it } from "vitest";
import { type ChainRunFacts, calledBackReason, chainRunVerdict, chainStepState } from "./chain-run.js";

const now = new Date("2026-11-29T12:00:00.000Z");
const later = new Date(now.getTime() + 60_000);
const earlier = new Date(now.getTime() - 1);

function facts(overrides: Partial<ChainRunFacts> = {}): ChainRunFacts {
  return {
    position: 2,
    delivery: { status: "succeeded", attempts: 1, lastStatusCode: 200 },
    callback: { state: null, expiresAt: later },
    blocked: [],
    ...overrides,
  };
}

describe("chainRunVerdict", () => {
  it("lets a run go on while its step is delivered and its callback may still come", () => {
    expect(chainRunVerdict(facts(), now)).toBeNull();
    expect(
      chainRunVerdict(facts({ delivery: { status: "pending", attempts: 2, lastStatusCode: 503 } }), now),
    ).toBeNull();
  });

  it("expires a delivered step whose callback did not come by its expiry, not one still being retried", () => {
    expect(chainRunVerdict(facts({ callback: { state: null, expiresAt: now } }), now)).toEqual({
      state: "expired",
      reason: "step 2: no callback came by 2026-11-29T12:00:00.000Z (HOOKYARD_CALLBACK_TTL)",
    });
    const retrying = facts({
      delivery: { status: "pending", attempts: 3, lastStatusCode: null },
      callback: { state: null, expiresAt: earlier },
    });
    expect(chainRunVerdict(retrying, now)).toBeNull();
  });

  it("interrupts a run whose step's delivery failed or was canceled, saying how", () => {
    expect(chainRunVerdict(facts({ delivery: { status: "failed", attempts: 4, lastStatusCode: 500 } }), now)).toEqual({
      state: "interrupted",
      reason: "step 2: its delivery failed after 4 attempts (last: HTTP 500)",
    });
    expect(
      chainRunVerdict(facts({ delivery: { status: "failed", attempts: 1, lastStatusCode: null } }), now)?.reason,
    ).toBe("step 2: its delivery failed after 1 attempt (last: no answer)");
    expect(
      chainRunVerdict(facts({ delivery: { status: "canceled", attempts: 0, lastStatusCode: null } }), now)?.reason,
    ).toBe("step 2: its delivery was canceled");
    expect(chainRunVerdict(facts({ delivery: null, callback: null }), now)?.reason).toBe(
      "step 2: its delivery no longer exists",
    );
  });

  it("names the first deleted or disabled webhook of the steps left, before anything else", () => {
    const blocked = [
      { position: 3, webhookId: "wh_c", deleted: false, disabledReason: "paused by alice" },
      { position: 2, webhookId: "wh_b", deleted: true, disabledReason: "deleted by bob" },
    ];
    const failed = { status: "failed" as const, attempts: 4, lastStatusCode: 500 };
    expect(chainRunVerdict(facts({ blocked, delivery: failed }), now)).toEqual({
      state: "interrupted",
      reason: "step 2: webhook wh_b was deleted",
    });
    expect(chainRunVerdict(facts({ blocked: blocked.slice(0, 1) }), now)?.reason).toBe(
      "step 3: webhook wh_c was disabled (paused by alice)",
    );
  });

  it("leaves a step whose callback was validated to the callback's own transaction", () => {
    const validated = facts({ callback: { state: "success", expiresAt: earlier }, blocked: [] });
    expect(chainRunVerdict(validated, now)).toBeNull();
  });
});

describe("chainStepState", () => {
  const step = (
    started: boolean,
    deliveryStatus: "pending" | "succeeded" | "failed" | "canceled" | null,
    callbackState: "success" | "failure" | "error" | null = null,
  ) => ({
    started,
    deliveryStatus,
    callbackState,
  });

  it("reads a running run's steps as people follow them", () => {
    expect(chainStepState(step(false, null), "running")).toBe("waiting");
    expect(chainStepState(step(true, "pending"), "running")).toBe("delivering");
    expect(chainStepState(step(true, "succeeded"), "running")).toBe("awaiting_callback");
    expect(chainStepState(step(true, "succeeded", "success"), "running")).toBe("success");
  });

  it("reads an ended run's steps by how it ended", () => {
    expect(chainStepState(step(true, "succeeded", "failure"), "interrupted")).toBe("failure");
    expect(chainStepState(step(true, "succeeded"), "expired")).toBe("expired");
    expect(chainStepState(step(true, "succeeded"), "interrupted")).toBe("abandoned");
    expect(chainStepState(step(true, "failed"), "interrupted")).toBe("failed");
    expect(chainStepState(step(true, "pending"), "interrupted")).toBe("canceled");
    expect(chainStepState(step(false, null), "completed")).toBe("skipped");
    // The receiver called back although its HTTP answer failed: what it said is what counts.
    expect(chainStepState(step(true, "canceled", "success"), "running")).toBe("success");
  });

  it("says why a receiver ended the run, with its description when it gave one", () => {
    expect(calledBackReason(1, "failure", "3 tests FAILED")).toBe(
      "step 1: the receiver called back failure: 3 tests FAILED",
    );
    expect(calledBackReason(2, "error", null)).toBe("step 2: the receiver called back error");
  });
});
