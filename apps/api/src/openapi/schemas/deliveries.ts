import { CALLBACK_STATES, EVENT_TYPES } from "@hookyard/core";
import { z } from "zod";
import { deliveriesQuery } from "../../http/deliveries-query.js";
import { countedPageOf, nullableTimestamp, timestamp } from "./common.js";

const status = deliveriesQuery.shape.status.unwrap().meta({
  description: "pending until it succeeds, fails for good (no attempt left) or is canceled (webhook deleted)",
});
const headers = z.record(z.string(), z.string());

/** One HTTP request of a delivery; also the answer's shape wherever a single attempt is shown. */
export const attemptSchema = z
  .object({
    n: z.int().min(1),
    startedAt: timestamp,
    durationMs: z.int(),
    statusCode: z.int().nullable().meta({ description: "null when no answer came (timeout, refused, ...)" }),
    error: z.string().nullable(),
    requestHeaders: headers.meta({ description: "as sent, credential-like values masked" }),
    requestBody: z.string().nullable().meta({
      description:
        "the body as sent (a dockerhub body's callback_url replaced by [redacted]); null once trimmed or when nothing went out",
    }),
    responseHeaders: headers.nullable(),
    responseBody: z.string().nullable().meta({ description: "the first 4 KiB of the receiver's answer" }),
    trimmedAt: nullableTimestamp.meta({
      description: "when HOOKYARD_BODY_RETENTION emptied its headers and bodies; null while they are kept",
    }),
  })
  .meta({ id: "Attempt" });

/** Which push a delivery is: its event's repository, tag, digest and actor. */
const pushFields = {
  repository: z.string().nullable().meta({ description: "the event's repository; null for a registry-wide event" }),
  tag: z.string().nullable().meta({ description: "the event's tag; null when it has none" }),
  digest: z.string().nullable().meta({ description: "the event's digest; null when it has none" }),
  actor: z.string().nullable().meta({ description: "who did it, as the registry said; null when it did not" }),
};

/** listDeliveries' items (packages/db stores/deliveries.ts). */
export const deliverySummarySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    eventType: z.enum(EVENT_TYPES),
    status,
    attempts: z.int().meta({ description: "attempts made so far" }),
    lastStatusCode: z.int().nullable(),
    createdAt: timestamp,
    completedAt: nullableTimestamp,
    durationMs: z.int().nullable().meta({ description: "how long its latest attempt took; null before the first" }),
    test: z.boolean().meta({ description: "sent by POST /api/v1/webhooks/{id}/test; never retried" }),
    ...pushFields,
  })
  .meta({ id: "DeliverySummary" });

export const deliveryPageSchema = countedPageOf(deliverySummarySchema).meta({ id: "DeliveryPage" });

/** What the receiver of a dockerhub delivery said at its callback_url. */
export const deliveryCallbackSchema = z
  .object({
    state: z.enum(CALLBACK_STATES).nullable().meta({ description: "null until the receiver calls back" }),
    description: z.string().nullable(),
    context: z.string().nullable(),
    targetUrl: z.string().nullable(),
    receivedAt: nullableTimestamp,
    expiresAt: timestamp.meta({ description: "HOOKYARD_CALLBACK_TTL after the first send; 410 after it" }),
  })
  .meta({ id: "DeliveryCallback" });

/** GET /api/v1/deliveries/:id (routes/deliveries.ts). */
export const deliverySchema = z
  .object({
    id: z.string(),
    webhookId: z.string(),
    eventId: z.string(),
    eventType: z.enum(EVENT_TYPES),
    ...pushFields,
    status,
    attemptCount: z.int(),
    lastStatusCode: z.int().nullable(),
    createdAt: timestamp,
    completedAt: nullableTimestamp,
    test: z.boolean(),
    nextAttemptAt: nullableTimestamp.meta({
      description:
        "while pending, when the next attempt is due (the retry schedule after the last attempt, or a longer " +
        "Retry-After; each delay varies by up to 20 %); null before a series' first attempt and once finished",
    }),
    attemptsLeft: z.int().min(0).meta({ description: "attempts the current series may still make; 0 once finished" }),
    attempts: z.array(attemptSchema),
    callback: deliveryCallbackSchema
      .nullable()
      .meta({ description: "dockerhub deliveries: their callback; null for other formats" }),
  })
  .meta({ id: "Delivery" });

/** POST /api/v1/webhooks/:id/test (services/webhook-test.ts). */
export const testResultSchema = z
  .object({
    deliveryId: z.string(),
    eventType: z.enum(EVENT_TYPES),
    test: z.literal(true),
    attempt: attemptSchema.omit({ requestHeaders: true, requestBody: true, trimmedAt: true }),
  })
  .meta({ id: "TestResult" });
