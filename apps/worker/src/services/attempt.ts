import {
  type AcceptedEvent,
  type AttemptTiming,
  endsDelivery,
  heldForMs,
  holdAfterAnswer,
  nextRetryDelay,
  type TemplateLimits,
  withJitter,
} from "@hookyard/core";
import {
  type ChainStanding,
  cancelPending,
  chainStanding,
  type Db,
  eventFromRow,
  holdWebhookUntil,
  issueCallbackUrl,
  type MatchedDelivery,
  newId,
  type SendingWebhook,
} from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { SentAttempt } from "@hookyard/queues";
import { type Context, endPostSpan, startPostSpan } from "@hookyard/telemetry";
import { isTemplateFailure, sendDelivery, type Transport } from "@hookyard/transport";
import { metrics } from "../metrics.js";
import type { DeliveryStore } from "./batched-store.js";
import type { ChainSweeper } from "./chain-sweeper.js";
import type { Permit, RateLimiter } from "./rate-limiter.js";
import type { StoreGate } from "./store-gate.js";
import type { SuccessClock } from "./success-clock.js";

export interface AttemptDeps {
  db: Db;
  store: DeliveryStore;
  gate: Pick<StoreGate, "isOutage">;
  transport: Transport;
  successClock: SuccessClock;
  retrySchedule: readonly number[];
  deliveryTimeoutMs: number;
  /** HOOKYARD_TEMPLATE_*: the bounds of a template webhook's render. */
  templateLimits?: TemplateLimits;
  /** Where dockerhub deliveries' callback_url points (HOOKYARD_PUBLIC_URL), and how long it holds. */
  callbacks: { publicUrl: string; ttlMs: number };
  /** Ends the chain runs a failed delivery concerns. */
  chains: Pick<ChainSweeper, "sweep">;
  /** Webhooks' rate limits (decision 0021): asked only for a webhook that has one. */
  limiter: RateLimiter;
  logger: Logger;
}

/**
 * How one attempt ended. Its caller acts on this alone: a delivery job puts itself back for a
 * `retry` or a `store-wait`, fan-out queues a job for them; everything else is done.
 */
export type DeliveryOutcome =
  | { kind: "succeeded"; n: number }
  | { kind: "retry"; n: number; delayMs: number }
  /** Failed for good: the schedule is used up, or the answer ends it (413, a webhook that cannot be sent to). */
  | { kind: "exhausted"; n: number }
  /** Failed for good with 410 Gone, and the webhook disabled in the same statement. */
  | { kind: "gone"; n: number }
  /** Went out, and Postgres cannot book it now: to be booked later, never sent again. */
  | { kind: "store-wait"; sent: SentAttempt; error: unknown }
  /** Nothing sent, no attempt spent: the webhook's rate limit or a 429's hold says to wait (decision 0021). */
  | { kind: "deferred"; delayMs: number; reason: "rate-limit" | "retry-after" }
  | { kind: "skipped"; reason: string };

/**
 * What an attempt is made for: a delivery in Postgres (a delivery job's), or a delivery fan-out
 * matched and has not written (its first attempt, decision 0015), with its event as stored.
 */
export type AttemptTarget = { deliveryId: string } | { unwritten: MatchedDelivery; event: AcceptedEvent };

/** A booking Postgres could not make for a reason of its own (not an outage), with what went out. */
export class BookingError extends Error {
  override name = "BookingError";
  constructor(
    readonly sent: SentAttempt,
    override readonly cause: unknown,
  ) {
    super(`attempt ${sent.attemptId} not booked: ${(cause as Error | null)?.message ?? String(cause)}`);
  }
}

/**
 * One attempt, the same for fan-out's first attempts and for delivery jobs: prepare (load, check,
 * issue the callback URL), send once, book, report. `sentBack` is called as soon as the receiver's
 * answer (or its absence) is known, to give the admission ticket back. A store fault before
 * anything went out is thrown as it is (nothing happened); after, it is the `store-wait` outcome.
 * The request's span is a child of `trace` (the event's or the delivery job's, packages/telemetry).
 */
export async function runAttempt(
  deps: AttemptDeps,
  target: AttemptTarget,
  sentBack: SentBack,
  trace?: Context,
): Promise<DeliveryOutcome> {
  const release = onceOnly(sentBack);
  let sent: SentAttempt | DeliveryOutcome;
  try {
    sent = await prepareAndSend(deps, target, release, trace);
  } finally {
    release(null); // nothing went out, if it was not called meanwhile
  }
  if ("kind" in sent) {
    if (sent.kind === "skipped") reportSkipped(deps, deliveryIdOf(target), sent.reason);
    return sent;
  }
  return bookAndReport(deps, sent);
}

/** Books an attempt that went out (one a store wait kept), then reports it. */
export async function bookAndReport(deps: AttemptDeps, sent: SentAttempt): Promise<DeliveryOutcome> {
  let outcome: DeliveryOutcome;
  try {
    outcome = await book(deps, sent);
  } catch (error) {
    if (deps.gate.isOutage(error)) return { kind: "store-wait", sent, error };
    throw new BookingError(sent, error);
  }
  await report(deps, sent, outcome);
  return outcome;
}

/** Called once an attempt's answer (or its absence) is known; null when nothing went out. */
export type SentBack = (timing: AttemptTiming | null) => void;

/** Makes `sentBack` callable many times, acting on the first. */
function onceOnly(release: SentBack): SentBack {
  let done = false;
  return (timing) => {
    if (done) return;
    done = true;
    release(timing);
  };
}

function deliveryIdOf(target: AttemptTarget): string {
  return "deliveryId" in target ? target.deliveryId : target.unwritten.id;
}

/** What to send, or why nothing is sent. */
interface Prepared {
  deliveryId: string;
  webhook: SendingWebhook;
  event: AcceptedEvent;
  standing: ChainStanding | null;
  unwritten: SentAttempt["unwritten"];
}

async function prepare(deps: AttemptDeps, target: AttemptTarget): Promise<Prepared | DeliveryOutcome> {
  if ("unwritten" in target) {
    const { unwritten, event } = target;
    const webhook = await deps.store.loadWebhook(unwritten.webhookId);
    // Disabled or deleted since it was matched: as if matched after, nothing is written.
    if (!webhook?.enabled) return { kind: "skipped", reason: "webhook is disabled or deleted" };
    return {
      deliveryId: unwritten.id,
      webhook,
      event,
      standing: null,
      unwritten: { webhookId: unwritten.webhookId, eventId: unwritten.eventId },
    };
  }
  const { deliveryId } = target;
  const delivery = await deps.store.loadDelivery(deliveryId);
  if (!delivery) return { kind: "skipped", reason: "delivery no longer exists" };
  if (delivery.status !== "pending") return { kind: "skipped", reason: `delivery is ${delivery.status}` };
  const cancel = async (reason: string): Promise<DeliveryOutcome> => {
    await cancelPending(deps.db, deliveryId);
    return { kind: "skipped", reason };
  };
  // A test is sent once, by the API that answers with it; one left pending (that API stopped
  // mid-way) is not sent again later, out of the blue.
  if (delivery.test) return cancel("a test is sent once, by the API");
  if (!delivery.webhook.enabled) return cancel("webhook is disabled or deleted");
  // Only dockerhub webhooks can be chained (their body carries the callback_url).
  const standing = delivery.webhook.format === "dockerhub" ? await chainStanding(deps.db, deliveryId) : null;
  const moot = mootStep(standing);
  if (moot) return cancel(moot);
  const event = { ...eventFromRow(delivery.event), id: delivery.event.id };
  return { deliveryId, webhook: delivery.webhook, event, standing, unwritten: null };
}

async function prepareAndSend(
  deps: AttemptDeps,
  target: AttemptTarget,
  sentBack: SentBack,
  trace: Context | undefined,
): Promise<SentAttempt | DeliveryOutcome> {
  const prepared = await prepare(deps, target);
  if ("kind" in prepared) return prepared;
  const { deliveryId, webhook } = prepared;
  const permit = await rateAdmission(deps, webhook, deliveryId);
  if (permit !== null && "kind" in permit) {
    metrics.rateLimited(permit.reason);
    return permit;
  }
  let result: Awaited<ReturnType<typeof sendDelivery>>;
  // A template that did not render sent nothing, like a request that never left: it spends no rate
  // permit and says nothing of how fast the receiver is.
  let rendered = true;
  let wentOut = false;
  try {
    // Stored before the request goes out: a receiver may call back before it has even answered.
    const callbackUrl =
      webhook.format === "dockerhub" ? await issueCallbackUrl(deps.db, { deliveryId, ...deps.callbacks }) : undefined;
    const span = trace && startPostSpan(webhook.url, trace, { [DELIVERY_ID]: deliveryId, [WEBHOOK_ID]: webhook.id });
    result = await sendDelivery(deps.transport, {
      deliveryId,
      webhook,
      event: prepared.event,
      timeoutMs: deps.deliveryTimeoutMs,
      callbackUrl,
      templateLimits: deps.templateLimits,
    });
    endPostSpan(span, { statusCode: result.statusCode, errorKind: result.error?.split(":", 1)[0] });
    rendered = !isTemplateFailure(result);
    wentOut = rendered && !result.notSent;
  } finally {
    if (wentOut) permit?.ended();
    else permit?.unused();
  }
  sentBack(rendered ? { answered: result.statusCode !== null || result.notSent } : null);
  const holdMs = holdAfterAnswer(result.statusCode, result.retryAfterMs);
  if (holdMs !== null) await holdWebhook(deps, webhook.id, holdMs);
  const { startedAt, gone, notSent, ...request } = result;
  return {
    ...request,
    deliveryId,
    attemptId: newId("attempt"),
    startedAt: startedAt.toISOString(),
    final: endsDelivery(request.statusCode) || notSent,
    disableWebhook: gone ? `the receiver answered 410 Gone at ${startedAt.toISOString()}` : null,
    chainStep: prepared.standing !== null,
    unwritten: prepared.unwritten,
  };
}

/**
 * Whether this attempt may go now as far as its webhook's 429 hold and rate limit say (decision
 * 0021): a permit to give back when it ends, null for a webhook without a limit (no round trip),
 * or the deferral. The hold is read with the webhook, so it costs nothing either.
 */
async function rateAdmission(
  deps: AttemptDeps,
  webhook: SendingWebhook,
  deliveryId: string,
): Promise<Permit | null | Extract<DeliveryOutcome, { kind: "deferred" }>> {
  const heldMs = heldForMs(webhook.notBefore, Date.now());
  if (heldMs > 0) return { kind: "deferred", delayMs: heldMs, reason: "retry-after" };
  if (webhook.rateLimit === null) return null;
  const verdict = await deps.limiter.acquire(webhook.id, webhook.rateLimit, deliveryId);
  return "waitMs" in verdict ? { kind: "deferred", delayMs: verdict.waitMs, reason: "rate-limit" } : verdict;
}

/** Holds a webhook after its receiver's 429 Retry-After; the attempt went out, so a fault here is only logged. */
async function holdWebhook(deps: AttemptDeps, webhookId: string, holdMs: number): Promise<void> {
  try {
    await holdWebhookUntil(deps.db, webhookId, new Date(Date.now() + holdMs));
  } catch (error) {
    deps.logger.warn("webhook not held for its receiver's Retry-After", { webhookId, holdMs, error });
  }
}

const DELIVERY_ID = "hookyard.delivery.id";
const WEBHOOK_ID = "hookyard.webhook.id";

/** Why a chain step's delivery is not to be sent (again): its run ended, or moved past it. */
function mootStep(standing: ChainStanding | null): string | null {
  if (!standing) return null;
  if (standing.runState !== "running") return `its chain run is ${standing.runState}`;
  return standing.callbackState ? "its receiver called back already" : null;
}

/**
 * Books a sent attempt (once, however often it is called). Postgres's booking alone says whether
 * the delivery is done: its status after the attempt decides the outcome.
 */
async function book(deps: AttemptDeps, sent: SentAttempt): Promise<DeliveryOutcome> {
  const { retryAfterMs, chainStep: _chainStep, unwritten, ...attempt } = sent;
  const record = { ...attempt, startedAt: new Date(sent.startedAt) };
  const booked = unwritten
    ? await deps.store.bookFirstAttempt({ ...record, ...unwritten })
    : await deps.store.recordAttempt(record);
  if (!booked) return { kind: "skipped", reason: "delivery was deleted while it was being sent" };
  if (sent.succeeded) deps.successClock.note(booked.webhookId, new Date(sent.startedAt));
  switch (booked.status) {
    case "succeeded":
      return { kind: "succeeded", n: booked.n };
    case "failed":
      return sent.disableWebhook ? { kind: "gone", n: booked.n } : { kind: "exhausted", n: booked.n };
    case "canceled":
      return { kind: "skipped", reason: "delivery was canceled while it was being sent" };
    case "pending": {
      const delayMs = nextRetryDelay(deps.retrySchedule, booked.tries, retryAfterMs, withJitter);
      // Postgres counts attempts against the same schedule: pending means one is left.
      if (delayMs === null) throw new Error(`booking left ${sent.deliveryId} pending after its last attempt`);
      return { kind: "retry", n: booked.n, delayMs };
    }
  }
}

/** Counts and logs a booked attempt, and ends the chain run of a chain step that failed for good. */
async function report(deps: AttemptDeps, sent: SentAttempt, outcome: DeliveryOutcome): Promise<void> {
  const { deliveryId } = sent;
  if (outcome.kind === "skipped") return reportSkipped(deps, deliveryId, outcome.reason);
  const failed = outcome.kind === "exhausted" || outcome.kind === "gone";
  metrics.delivery(failed ? "failed" : outcome.kind === "retry" ? "retry" : "succeeded", sent);
  // A success is on record in Postgres and the metrics; a line for each costs the worker about
  // 15% of its CPU per delivery at full speed (docs/performance.md), so it is logged at debug.
  if (outcome.kind === "succeeded") deps.logger.debug("delivery attempt", { deliveryId, ...outcome });
  else deps.logger.info("delivery attempt", { deliveryId, ...outcome });
  if (failed && sent.chainStep) await endChainRunOf(deps, deliveryId);
}

function reportSkipped(deps: AttemptDeps, deliveryId: string, reason: string): void {
  deps.logger.info("delivery skipped", { deliveryId, reason });
  metrics.delivery("skipped");
}

/** A chain step's delivery that failed ends its run now; the sweep would within the second anyway. */
async function endChainRunOf(deps: AttemptDeps, deliveryId: string): Promise<void> {
  try {
    await deps.chains.sweep({ deliveryIds: [deliveryId] });
  } catch (error) {
    deps.logger.warn("chain run of a failed delivery not ended yet; the sweep will", {
      deliveryId,
      reason: (error as Error).message,
    });
  }
}
