import { endsDelivery, nextRetryDelay, withJitter } from "@hookyard/core";
import {
  type AttemptRecord,
  type ChainStanding,
  cancelPending,
  chainStanding,
  type Db,
  eventFromRow,
  issueCallbackUrl,
  newId,
} from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { sendDelivery, type Transport } from "@hookyard/transport";
import { metrics } from "../metrics.js";
import type { DeliveryStore } from "./batched-store.js";
import type { ChainSweeper } from "./chain-sweeper.js";
import type { SuccessClock } from "./success-clock.js";

export interface DeliverDeps {
  db: Db;
  store: DeliveryStore;
  transport: Transport;
  successClock: SuccessClock;
  retrySchedule: readonly number[];
  deliveryTimeoutMs: number;
  /** Where dockerhub deliveries' callback_url points (HOOKYARD_PUBLIC_URL), and how long it holds. */
  callbacks: { publicUrl: string; ttlMs: number };
  /** Ends the chain runs a failed delivery concerns. */
  chains: Pick<ChainSweeper, "sweep">;
}

/**
 * A request that went out and what came back, ready to book. Plain JSON (the time as text), because
 * when Postgres cannot take it, it waits in the job's data for the store to come back: a POST that
 * went out is booked, never sent again.
 */
export interface SentAttempt extends Omit<AttemptRecord, "startedAt"> {
  startedAt: string;
  /** A step of a chain run: if the delivery fails for good, the run ends with it. */
  chainStep: boolean;
  /** The receiver's Retry-After, in ms from when it answered. */
  retryAfterMs: number | null;
}

export type DeliverOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "succeeded"; n: number }
  | { kind: "failed"; n: number }
  | { kind: "retry"; n: number; delayMs: number };

/**
 * Loads the delivery, renders, signs and POSTs it once. Returns what to book, or why nothing was
 * sent. `lastChance` is set when the queue will not retry whatever happens.
 */
export async function sendOnce(
  deps: DeliverDeps,
  deliveryId: string,
  lastChance: boolean,
): Promise<SentAttempt | Extract<DeliverOutcome, { kind: "skipped" }>> {
  const delivery = await deps.store.loadDelivery(deliveryId);
  if (!delivery) return { kind: "skipped", reason: "delivery no longer exists" };
  if (delivery.status !== "pending") return { kind: "skipped", reason: `delivery is ${delivery.status}` };
  const { webhook } = delivery;
  if (delivery.test) {
    // A test is sent once, by the API that answers with it; one left pending (that API stopped
    // mid-way) is not sent again later, out of the blue.
    await cancelPending(deps.db, deliveryId);
    return { kind: "skipped", reason: "a test is sent once, by the API" };
  }
  if (!webhook.enabled) {
    await cancelPending(deps.db, deliveryId);
    return { kind: "skipped", reason: "webhook is disabled or deleted" };
  }
  // Only dockerhub webhooks can be chained (their body carries the callback_url).
  const standing = webhook.format === "dockerhub" ? await chainStanding(deps.db, deliveryId) : null;
  const moot = mootStep(standing);
  if (moot) {
    await cancelPending(deps.db, deliveryId);
    return { kind: "skipped", reason: moot };
  }

  // Stored before the request goes out: a receiver may call back before it has even answered.
  const callbackUrl =
    webhook.format === "dockerhub" ? await issueCallbackUrl(deps.db, { deliveryId, ...deps.callbacks }) : undefined;
  const sent = await sendDelivery(deps.transport, {
    deliveryId,
    webhook,
    event: { ...eventFromRow(delivery.event), id: delivery.event.id },
    timeoutMs: deps.deliveryTimeoutMs,
    callbackUrl,
  });
  const { startedAt, gone, notSent, ...request } = sent;
  return {
    ...request,
    deliveryId,
    attemptId: newId("attempt"),
    startedAt: startedAt.toISOString(),
    final: endsDelivery(request.statusCode) || notSent || lastChance,
    disableWebhook: gone ? `the receiver answered 410 Gone at ${startedAt.toISOString()}` : null,
    chainStep: standing !== null,
  };
}

/** Why a chain step's delivery is not to be sent (again): its run ended, or moved past it. */
function mootStep(standing: ChainStanding | null): string | null {
  if (!standing) return null;
  if (standing.runState !== "running") return `its chain run is ${standing.runState}`;
  return standing.callbackState ? "its receiver called back already" : null;
}

/** Books a sent attempt (once, however often it is called) and says whether and when to try again. */
export async function bookAttempt(deps: DeliverDeps, sent: SentAttempt): Promise<DeliverOutcome> {
  const { retryAfterMs, chainStep: _chainStep, ...record } = sent;
  const outcome = await deps.store.recordAttempt({ ...record, startedAt: new Date(sent.startedAt) });
  if (!outcome) return { kind: "skipped", reason: "delivery was deleted while it was being sent" };
  if (sent.succeeded) deps.successClock.note(outcome.webhookId, new Date(sent.startedAt));
  if (outcome.status === "succeeded") return { kind: "succeeded", n: outcome.n };
  if (outcome.status === "failed") return { kind: "failed", n: outcome.n };
  if (outcome.status === "canceled")
    return { kind: "skipped", reason: "delivery was canceled while it was being sent" };
  const delayMs = nextRetryDelay(deps.retrySchedule, outcome.tries, retryAfterMs, withJitter) ?? 0;
  return { kind: "retry", n: outcome.n, delayMs };
}

/**
 * Counts and logs a booked attempt, and ends the chain run of a chain step that failed for good:
 * what follows every booking, whether a delivery job or the fan-out's first attempt made it.
 */
export async function reportAttempt(
  deps: DeliverDeps,
  sent: SentAttempt,
  outcome: DeliverOutcome,
  logger: Logger,
): Promise<void> {
  const { deliveryId } = sent;
  metrics.delivery(outcome.kind, sent);
  // A success is on record in Postgres and the metrics; a line for each costs the worker about
  // 15% of its CPU per delivery at full speed (docs/performance.md), so it is logged at debug.
  if (outcome.kind === "succeeded") logger.debug("delivery attempt", { deliveryId, ...outcome });
  else logger.info("delivery attempt", { deliveryId, ...outcome });
  if (outcome.kind === "failed" && sent.chainStep) await endChainRunOf(deps, deliveryId, logger);
}

/** Counts and logs a delivery that was not sent (deleted meanwhile, disabled webhook, moot chain step). */
export function reportSkipped(deliveryId: string, reason: string, logger: Logger): void {
  logger.info("delivery skipped", { deliveryId, reason });
  metrics.delivery("skipped");
}

/** A chain step's delivery that failed ends its run now; the sweep would within the second anyway. */
async function endChainRunOf(deps: DeliverDeps, deliveryId: string, logger: Logger): Promise<void> {
  try {
    await deps.chains.sweep({ deliveryIds: [deliveryId] });
  } catch (error) {
    logger.warn("chain run of a failed delivery not ended yet; the sweep will", {
      deliveryId,
      reason: (error as Error).message,
    });
  }
}
