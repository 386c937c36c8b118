import {
  buildDeliveryHeaders,
  nextRetryDelay,
  type PayloadFormatName,
  parseRetryAfter,
  redactHeaders,
  renderPayload,
  storableHeaders,
  storableText,
} from "@hookyard/core";
import { type Db, eventFromRow } from "@hookyard/db";
import type { Transport } from "../transport/http-transport.js";
import { USER_AGENT } from "../version.js";
import type { DeliveryStore } from "./batched-store.js";

export interface DeliverDeps {
  db: Db;
  store: DeliveryStore;
  transport: Transport;
  retrySchedule: readonly number[];
  deliveryTimeoutMs: number;
}

export type DeliverOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "succeeded"; n: number }
  | { kind: "failed"; n: number }
  | { kind: "retry"; n: number; delayMs: number };

/**
 * One attempt of one delivery: render, sign, POST, book the attempt. Says whether to try again and
 * when; the queue does the waiting. `lastChance` is set when the queue will not retry whatever we say.
 */
export async function deliverOnce(deps: DeliverDeps, deliveryId: string, lastChance: boolean): Promise<DeliverOutcome> {
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
  const headers = buildDeliveryHeaders({
    deliveryId,
    eventType: event.type,
    contentType: payload.contentType,
    body: payload.body,
    timestampSeconds: Math.floor(Date.now() / 1000),
    secret: webhook.secret,
    userAgent: USER_AGENT,
    custom: webhook.headers as Record<string, string>,
  });

  const startedAt = new Date();
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
  const outcome = await deps.store.recordAttempt({
    deliveryId,
    startedAt,
    durationMs: result.durationMs,
    statusCode,
    // What the receiver sent is made storable first: a NUL in its answer must not break booking.
    error: result.ok ? (succeeded ? null : `HTTP ${statusCode}`) : storableText(result.error),
    requestHeaders: redactHeaders(headers),
    responseHeaders: result.ok ? storableHeaders(result.headers) : null,
    responseBody: result.ok ? storableText(result.body) : null,
    succeeded,
    final: gone || lastChance,
  });
  if (!outcome) return { kind: "skipped", reason: "delivery was deleted while it was being sent" };
  if (gone) {
    await deps.db.webhook.update({
      where: { id: webhook.id },
      data: { enabled: false, disabledReason: `the receiver answered 410 Gone at ${startedAt.toISOString()}` },
    });
  }

  if (outcome.status === "succeeded") return { kind: "succeeded", n: outcome.n };
  if (outcome.status === "failed") return { kind: "failed", n: outcome.n };
  const retryAfter = result.ok ? parseRetryAfter(result.headers["retry-after"], new Date()) : null;
  const delayMs = nextRetryDelay(deps.retrySchedule, outcome.n, retryAfter) ?? 0;
  return { kind: "retry", n: outcome.n, delayMs };
}
