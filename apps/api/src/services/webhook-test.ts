import { EVENT_TYPES, type EventType, sampleEvent, scopeOf, type TemplateLimits } from "@hookyard/core";
import { type Db, insertTestDelivery, issueCallbackUrl, newId, recordAttempts, type Webhook } from "@hookyard/db";
import { type DeliveryTarget, type SentRequest, sendDelivery, type Transport } from "@hookyard/transport";
import { z } from "zod";
import { badRequest } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";

export const testWebhookBody = z
  .strictObject({ type: z.enum(EVENT_TYPES).optional() })
  .optional()
  .transform((body) => body ?? {});

/** The answer to a test: the one attempt, as GET /deliveries/:id shows attempts. */
export function presentTestAttempt(sent: SentRequest) {
  return {
    n: 1,
    startedAt: sent.startedAt,
    durationMs: sent.durationMs,
    statusCode: sent.statusCode,
    error: sent.error,
    responseHeaders: sent.responseHeaders,
    responseBody: sent.responseBody,
  };
}

/**
 * POST /webhooks/:id/test: a sample event of the webhook's first type (or the one asked for) in
 * its format, sent now, once, and kept in its history marked as a test. A 410 from the receiver does
 * not disable the webhook here: a test answers what happened, it does not act on it.
 */
export async function testWebhook(
  deps: {
    db: Db;
    transport: Transport;
    timeoutMs: number;
    callbacks: { publicUrl: string; ttlMs: number };
    templateLimits?: TemplateLimits;
  },
  webhook: Webhook,
  body: unknown,
) {
  const input = parseInput(testWebhookBody, body);
  const type = input.type ?? (webhook.events[0] as EventType);
  if (!webhook.events.includes(type)) {
    throw badRequest(`type: the webhook is not subscribed to ${type}; it takes ${webhook.events.join(", ")}`);
  }
  const event = { ...sampleEvent(type, scopeOf(webhook), `test:${newId("event")}`), id: newId("event") };
  const deliveryId = await insertTestDelivery(deps.db, webhook.id, event);
  // A test of a dockerhub webhook carries a working callback_url too, stored before it goes out.
  const callbackUrl =
    webhook.format === "dockerhub" ? await issueCallbackUrl(deps.db, { deliveryId, ...deps.callbacks }) : undefined;
  const sent = await sendDelivery(deps.transport, {
    deliveryId,
    webhook,
    event,
    timeoutMs: deps.timeoutMs,
    callbackUrl,
    templateLimits: deps.templateLimits,
  });
  const { startedAt, gone: _gone, notSent: _notSent, retryAfterMs: _retryAfterMs, ...attempt } = sent;
  await recordAttempts(
    deps.db,
    [{ ...attempt, deliveryId, attemptId: newId("attempt"), startedAt, final: true, disableWebhook: null }],
    1,
  );
  return { deliveryId, eventType: type, test: true, attempt: presentTestAttempt(sent) };
}

/** DTR's POST /api/v0/webhooks/test: a sample `dtr` payload to any endpoint the caller names,
 * with no webhook behind it and nothing recorded. */
export async function testEndpoint(
  deps: { transport: Transport; timeoutMs: number },
  type: EventType,
  endpoint: string,
): Promise<SentRequest> {
  const target: DeliveryTarget = {
    url: endpoint,
    format: "dtr",
    secret: null,
    previousSecret: null,
    previousSecretUntil: null,
    headers: {},
    tlsCert: null,
    skipTlsVerification: false,
  };
  const event = { ...sampleEvent(type, { kind: "global" }, `test:${newId("event")}`), id: newId("event") };
  return sendDelivery(deps.transport, {
    deliveryId: newId("delivery"),
    webhook: target,
    event,
    timeoutMs: deps.timeoutMs,
  });
}
