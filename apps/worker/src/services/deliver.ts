import {
  buildDeliveryHeaders,
  InvalidSecretError,
  nextRetryDelay,
  type PayloadFormatName,
  parseRetryAfter,
  redactHeaders,
  renderPayload,
  storableHeaders,
  storableText,
} from "@hookyard/core";
import { type AttemptRecord, type Db, eventFromRow, newId } from "@hookyard/db";
import { type Transport, USER_AGENT } from "@hookyard/transport";
import type { DeliveryStore } from "./batched-store.js";
import type { SuccessClock } from "./success-clock.js";

export interface DeliverDeps {
  db: Db;
  store: DeliveryStore;
  transport: Transport;
  successClock: SuccessClock;
  retrySchedule: readonly number[];
  deliveryTimeoutMs: number;
}

/**
 * A request that went out and what came back, ready to book. Plain JSON (the time as text), because
 * when Postgres cannot take it, it waits in the job's data for the store to come back: a POST that
 * went out is booked, never sent again.
 */
export interface SentAttempt extends Omit<AttemptRecord, "startedAt"> {
  startedAt: string;
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
  if (!webhook.enabled) {
    await deps.db.delivery.update({ where: { id: deliveryId }, data: { status: "canceled", completedAt: new Date() } });
    return { kind: "skipped", reason: "webhook is disabled" };
  }

  const event = eventFromRow(delivery.event);
  const payload = renderPayload(webhook.format as PayloadFormatName, event);
  const startedAt = new Date();
  let headers: Record<string, string>;
  try {
    headers = buildDeliveryHeaders({
      deliveryId,
      eventType: event.type,
      contentType: payload.contentType,
      body: payload.body,
      timestampSeconds: Math.floor(startedAt.getTime() / 1000),
      secret: webhook.secret,
      userAgent: USER_AGENT,
      custom: webhook.headers as Record<string, string>,
    });
  } catch (error) {
    // A secret stored before secrets were checked, and too weak to sign with: the delivery fails
    // with the reason rather than go out unsigned or with a forgeable signature.
    if (!(error instanceof InvalidSecretError)) throw error;
    return notSent(deliveryId, startedAt, `not sent: ${error.message}; give the webhook a new secret`);
  }

  const result = await deps.transport.send({
    url: webhook.url,
    headers,
    body: payload.body,
    timeoutMs: deps.deliveryTimeoutMs,
  });
  const statusCode = result.ok ? result.statusCode : null;
  const succeeded = statusCode !== null && statusCode >= 200 && statusCode < 300;
  // 410 Gone: the receiver says this endpoint is gone for good, so stop sending to it.
  const gone = statusCode === 410;
  return {
    deliveryId,
    attemptId: newId("attempt"),
    startedAt: startedAt.toISOString(),
    durationMs: result.durationMs,
    statusCode,
    // What the receiver sent is made storable first: a NUL in its answer must not break booking.
    error: result.ok ? (succeeded ? null : `HTTP ${statusCode}`) : storableText(result.error),
    requestHeaders: redactHeaders(headers),
    responseHeaders: result.ok ? storableHeaders(result.headers) : null,
    responseBody: result.ok ? storableText(result.body) : null,
    succeeded,
    final: gone || lastChance,
    disableWebhook: gone ? `the receiver answered 410 Gone at ${startedAt.toISOString()}` : null,
    retryAfterMs: result.ok ? parseRetryAfter(result.headers["retry-after"], new Date()) : null,
  };
}

/** An attempt that could not go out at all, booked as the last one. */
function notSent(deliveryId: string, startedAt: Date, error: string): SentAttempt {
  return {
    deliveryId,
    attemptId: newId("attempt"),
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    statusCode: null,
    error,
    requestHeaders: {},
    responseHeaders: null,
    responseBody: null,
    succeeded: false,
    final: true,
    disableWebhook: null,
    retryAfterMs: null,
  };
}

/** Books a sent attempt (once, however often it is called) and says whether and when to try again. */
export async function bookAttempt(deps: DeliverDeps, sent: SentAttempt): Promise<DeliverOutcome> {
  const { retryAfterMs, ...record } = sent;
  const outcome = await deps.store.recordAttempt({ ...record, startedAt: new Date(sent.startedAt) });
  if (!outcome) return { kind: "skipped", reason: "delivery was deleted while it was being sent" };
  if (sent.succeeded) deps.successClock.note(outcome.webhookId, new Date(sent.startedAt));
  if (outcome.status === "succeeded") return { kind: "succeeded", n: outcome.n };
  if (outcome.status === "failed") return { kind: "failed", n: outcome.n };
  const delayMs = nextRetryDelay(deps.retrySchedule, outcome.n, retryAfterMs) ?? 0;
  return { kind: "retry", n: outcome.n, delayMs };
}
