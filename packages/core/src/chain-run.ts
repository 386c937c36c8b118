import type { CallbackStateName } from "./callbacks.js";

/*
 * Docker Hub's callback chains (contract: "Callback chains"): a run delivers step k+1 only once
 * step k's receiver called back `success`. What a run's state means and why it ended is decided
 * here, from facts the store reads; the store only applies the verdict, and only to a run still at
 * the step the facts were read for, so that a callback validated meanwhile wins.
 */

export const CHAIN_RUN_STATES = ["running", "completed", "interrupted", "expired"] as const;
export type ChainRunStateName = (typeof CHAIN_RUN_STATES)[number];

/** How many webhooks a chain may hold: Docker Hub's chains were short, and each step waits for a person's CI. */
export const MAX_CHAIN_STEPS = 10;

type DeliveryStatusName = "pending" | "succeeded" | "failed" | "canceled";

/** What a run's current step and its remaining webhooks look like now. */
export interface ChainRunFacts {
  position: number;
  delivery: {
    status: DeliveryStatusName;
    attempts: number;
    lastStatusCode: number | null;
  } | null;
  callback: { state: CallbackStateName | null; expiresAt: Date } | null;
  /** Webhooks of this step and the steps after it that are deleted or disabled, by position. */
  blocked: ReadonlyArray<{ position: number; webhookId: string; deleted: boolean; disabledReason: string | null }>;
}

export interface ChainRunEnd {
  state: "interrupted" | "expired";
  reason: string;
}

/**
 * Whether a running run must end now, and why; null while it can still go on. A webhook that can no
 * longer take its step ends the run at once, even before the run reaches it: the run could never
 * complete. A step's callback only expires once its delivery went out (a delivery still being
 * retried has the delivery's own end, failed, to end the run).
 */
export function chainRunVerdict(facts: ChainRunFacts, now: Date): ChainRunEnd | null {
  const { position, delivery, callback } = facts;
  // A validated callback is the callback's own transaction's to act on, not the sweep's.
  if (callback?.state) return null;
  const [blocked] = [...facts.blocked].sort((a, b) => a.position - b.position);
  if (blocked) {
    const what = blocked.deleted ? "was deleted" : `was disabled (${blocked.disabledReason ?? "no reason given"})`;
    return { state: "interrupted", reason: `step ${blocked.position}: webhook ${blocked.webhookId} ${what}` };
  }
  if (!delivery) return { state: "interrupted", reason: `step ${position}: its delivery no longer exists` };
  if (delivery.status === "failed") {
    const answer = delivery.lastStatusCode === null ? "no answer" : `HTTP ${delivery.lastStatusCode}`;
    return {
      state: "interrupted",
      reason: `step ${position}: its delivery failed after ${delivery.attempts} attempt${delivery.attempts === 1 ? "" : "s"} (last: ${answer})`,
    };
  }
  if (delivery.status === "canceled") {
    return { state: "interrupted", reason: `step ${position}: its delivery was canceled` };
  }
  if (delivery.status === "succeeded" && callback && callback.expiresAt.getTime() <= now.getTime()) {
    return expiredRunEnd(position, callback.expiresAt);
  }
  return null;
}

/** The end of a run whose delivered step got no callback by `expiresAt`. */
export function expiredRunEnd(position: number, expiresAt: Date): ChainRunEnd {
  return {
    state: "expired",
    reason: `step ${position}: no callback came by ${expiresAt.toISOString()} (HOOKYARD_CALLBACK_TTL)`,
  };
}

/** Why a run ended when its receiver called back something other than success. */
export function calledBackReason(position: number, state: CallbackStateName, description: string | null): string {
  return `step ${position}: the receiver called back ${state}${description ? `: ${description}` : ""}`;
}

export const CHAIN_STEP_STATES = [
  "waiting",
  "delivering",
  "awaiting_callback",
  "success",
  "failure",
  "error",
  "failed",
  "canceled",
  "expired",
  "abandoned",
  "skipped",
] as const;
export type ChainStepStateName = (typeof CHAIN_STEP_STATES)[number];

/**
 * A step as people read it: waiting (its turn has not come), delivering (its delivery is being
 * sent or retried), awaiting_callback (delivered; its receiver has not called back), the callback's
 * state once validated, failed or canceled (its delivery's end), expired (no callback in time),
 * abandoned (delivered, but the run ended otherwise before its callback), or skipped (the run ended
 * before its turn).
 */
export function chainStepState(
  step: {
    started: boolean;
    deliveryStatus: DeliveryStatusName | null;
    callbackState: CallbackStateName | null;
  },
  runState: ChainRunStateName,
): ChainStepStateName {
  if (step.callbackState) return step.callbackState;
  if (!step.started) return runState === "running" ? "waiting" : "skipped";
  switch (step.deliveryStatus) {
    case "pending":
      return runState === "running" ? "delivering" : "canceled";
    case "failed":
      return "failed";
    case "succeeded":
      if (runState === "running") return "awaiting_callback";
      return runState === "expired" ? "expired" : "abandoned";
    default:
      return "canceled";
  }
}
