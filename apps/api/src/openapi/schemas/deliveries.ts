import { CALLBACK_STATES, EVENT_TYPES } from "@hookyard/core";
import { z } from "zod";
import { deliveriesQuery } from "../../routes/webhooks.js";
import { nullableTimestamp, pageOf, timestamp } from "./common.js";

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
    responseHeaders: headers.nullable(),
    responseBody: z.string().nullable().meta({ description: "the first 4 KiB of the receiver's answer" }),
    trimmedAt: nullableTimestamp.meta({
      description: "when HOOKYARD_BODY_RETENTION emptied its headers and body; null while they are kept",
    }),
  })
  .meta({ id: "Attempt" });

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
  })
  .meta({ id: "DeliverySummary" });

export const deliveryPageSchema = pageOf(deliverySummarySchema).meta({ id: "DeliveryPage" });

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
    status,
    attemptCount: z.int(),
    lastStatusCode: z.int().nullable(),
    createdAt: timestamp,
    completedAt: nullableTimestamp,
    test: z.boolean(),
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
    attempt: attemptSchema.omit({ requestHeaders: true, trimmedAt: true }),
  })
  .meta({ id: "TestResult" });
