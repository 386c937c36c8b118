import { EVENT_TYPES, webhookFilter } from "@hookyard/core";
import { z } from "zod";
import { createWebhookBody } from "../../services/webhooks.js";
import { countedPageOf, nullableTimestamp, timestamp } from "./common.js";

/** presentWebhook's answer (services/webhooks.ts): never the secret; credential-like header values masked. */
export const webhookSchema = z
  .object({
    id: z.string().meta({ example: "wh_01k9xq2c3r4s5t6v7w8x9y0z1a" }),
    name: z.string(),
    url: z.string(),
    events: z.array(z.enum(EVENT_TYPES)).meta({ description: "the types subscribed to, globs expanded" }),
    repository: z.string().nullable().meta({ description: '"ns/repo" for a repository webhook' }),
    namespace: z.string().nullable().meta({ description: "set for repository and namespace webhooks; null: global" }),
    format: createWebhookBody.shape.format.unwrap(),
    template: z.string().nullable().meta({ description: "format template: its Liquid template; null otherwise" }),
    templateContentType: z
      .string()
      .nullable()
      .meta({ description: "format template: the deliveries' Content-Type; null otherwise" }),
    hasSecret: z.boolean().meta({ description: "whether deliveries carry webhook-signature" }),
    previousSecretExpiresAt: nullableTimestamp.meta({ description: "until when a rotated-out secret still signs" }),
    headers: z
      .record(z.string(), z.string())
      .meta({ description: 'names in lower case; values of credential-like names shown as "[redacted]"' }),
    filter: webhookFilter.nullable(),
    tlsCert: z.string().nullable().meta({ description: "PEM CA certificates trusted besides the system ones" }),
    skipTLSVerification: z.boolean(),
    rateLimit: z
      .int()
      .nullable()
      .meta({ description: "deliveries per second at most, in any one-second window; null: no limit" }),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().meta({ description: "why it was paused or disabled (e.g. a 410 Gone)" }),
    authorId: z.string().nullable().meta({ description: "null once its author was deleted" }),
    createdAt: timestamp,
    updatedAt: timestamp,
    lastSuccessfulAt: nullableTimestamp,
  })
  .meta({ id: "Webhook" });

/** A webhook in a list: with its newest delivery, for the web UI's table. */
export const webhookListItemSchema = webhookSchema
  .extend({
    lastDelivery: z
      .object({
        id: z.string(),
        status: z.enum(["pending", "succeeded", "failed", "canceled"]),
        lastStatusCode: z.int().nullable(),
        createdAt: timestamp,
      })
      .nullable()
      .meta({ description: "its newest delivery (tests included); null: none yet" }),
  })
  .meta({ id: "WebhookListItem" });

export const webhookListSchema = countedPageOf(webhookListItemSchema).meta({ id: "WebhookList" });

/** POST /api/v1/webhooks/preview's answer (services/webhook-preview.ts). */
export const previewSchema = z
  .object({
    eventId: z.string().meta({ description: 'the stored event rendered, or "evt_preview" for a sample' }),
    eventType: z.enum(EVENT_TYPES),
    repository: z.string().meta({ description: "the event's repository (ns/repo)" }),
    tag: z.string().nullable().meta({ description: "the event's tag; null: none (a digest, a repository event)" }),
    occurredAt: timestamp.meta({ description: "when the registry says the event happened" }),
    contentType: z.string().meta({ description: "the Content-Type the delivery would carry" }),
    body: z.string().meta({ description: "the body exactly as it would be sent" }),
    headers: z
      .record(z.string(), z.string())
      .meta({ description: "the headers every delivery carries (unsigned: no webhook, no secret, no custom headers)" }),
  })
  .meta({ id: "WebhookPreview" });
