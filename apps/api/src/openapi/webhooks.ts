import {
  discordMessageShape,
  EVENT_TYPES,
  googleChatMessageShape,
  type PayloadFormat,
  slackMessageShape,
  teamsMessageShape,
} from "@hookyard/core";
import { z } from "zod";
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from "zod-openapi";
import { callbackRequestSchema, callbackResultSchema } from "./paths/callbacks.js";
import { errors, ok } from "./responses.js";
import { cloudEventPayloadSchema, dockerHubPayloadSchema, dtrPayloadSchema } from "./schemas/payloads.js";

/*
 * The document's `webhooks`: what Hookyard POSTs to a webhook's URL, one entry per payload format
 * (packages/core/src/payloads/render.ts), with the headers of every attempt
 * (packages/core/src/payloads/delivery-headers.ts) and what Hookyard makes of each answer
 * (packages/core/src/retry-schedule.ts). tests/openapi.test.ts validates the rendered bodies and the
 * golden files against these schemas.
 */

/** Every attempt's headers besides Content-Type (the body's media type) and the webhook's own. */
const deliveryHeaders = z.object({
  "user-agent": z.string().meta({ description: "Hookyard/<version>" }),
  "x-hookyard-event": z.enum(EVENT_TYPES).meta({ description: "the event's type" }),
  "x-hookyard-delivery": z.string().meta({ description: "the delivery's id, as GET /api/v1/deliveries/{id} takes it" }),
  "webhook-id": z.string().meta({
    description: "Standard Webhooks: the delivery's id, the same on every retry and redelivery: drop repeats by it",
  }),
  "webhook-timestamp": z.string().meta({
    description: "Standard Webhooks: epoch seconds when this attempt was signed; reject one far from now",
  }),
  "webhook-signature": z
    .string()
    .optional()
    .meta({
      description:
        'Standard Webhooks, when the webhook has a secret: "v1,<base64 HMAC-SHA256 of {webhook-id}.{webhook-timestamp}.{body}>", ' +
        "space-separated, one per secret (two while a rotated-out secret is in its grace). Verify any one with a " +
        "Standard Webhooks library.",
    }),
});

const retryAfter = z.object({
  "Retry-After": z
    .string()
    .optional()
    .meta({ description: "seconds or an HTTP date: a longer wait than the schedule's is honoured, up to 24 h" }),
});

/** What Hookyard makes of the receiver's answer; nothing of it but the status decides. */
const ANSWERS: ZodOpenApiResponsesObject = {
  "2XX": {
    description:
      "Delivered: the delivery succeeded. Answer fast and work later; the first 4 KiB of the body are kept in the " +
      "attempt's history and otherwise ignored.",
  },
  "410": {
    description:
      "Gone: the delivery ends, failed, and the webhook is disabled (disabledReason says so) until enabled again.",
  },
  "413": { description: "Too large: the delivery ends, failed (the same body will not get smaller)." },
  default: {
    description:
      "Any other answer, 3xx (redirects are not followed) and 4xx included, and no answer (timeout, refused, reset, " +
      "a name that does not resolve): the attempt failed and is retried on HOOKYARD_RETRY_SCHEDULE, each delay " +
      "spread by up to ±20%; the delivery fails after the last attempt.",
    headers: retryAfter,
  },
};

function delivery(
  format: PayloadFormat,
  operation: Pick<ZodOpenApiOperationObject, "summary" | "description" | "callbacks">,
  mediaType: string,
  schema: z.ZodType,
): ZodOpenApiPathsObject {
  return {
    [format]: {
      post: {
        operationId: `deliver${format.charAt(0).toUpperCase()}${format.slice(1)}`,
        tags: ["Deliveries"],
        ...operation,
        // Hookyard calls the receiver: the API's tokens play no part.
        security: [],
        requestParams: { header: deliveryHeaders },
        requestBody: { required: true, content: { [mediaType]: { schema } } },
        responses: ANSWERS,
      },
    },
  };
}

const COMMON =
  "Sent to the webhook's URL for every event it is subscribed to, with the webhook's own headers besides these; " +
  "at least once (a retry carries the same webhook-id), and deliveries to one webhook may arrive out of order. " +
  "The body's schema is exactly what this version sends (no other field); a later version may add fields, so a " +
  "receiver should ignore those it does not know.";

export const webhookDeliveries: ZodOpenApiPathsObject = {
  ...delivery(
    "dtr",
    {
      summary: 'A delivery of a "dtr" webhook (the default format)',
      description: `DTR's envelope: \`type\` says which \`contents\` it holds (docs/event-payloads.md). ${COMMON}`,
    },
    "application/json",
    dtrPayloadSchema,
  ),
  ...delivery(
    "dockerhub",
    {
      summary: 'A delivery of a "dockerhub" webhook (TAG_PUSH only)',
      description:
        "Docker Hub's body, with this attempt's own callback_url: the receiver POSTs how its work went there, " +
        `once per delivery (see the callback). In a chain, \`success\` delivers the chain's next step. ${COMMON}`,
      callbacks: {
        result: {
          "{$request.body#/callback_url}": {
            post: {
              summary: "The receiver says how its work went (Docker Hub's callback)",
              description:
                "The validateCallback operation at the delivery's callback_url: no token (the URL is the secret), " +
                "once per delivery (409 after), until HOOKYARD_CALLBACK_TTL after the latest send (410).",
              requestBody: { required: true, content: { "application/json": { schema: callbackRequestSchema } } },
              responses: { 200: ok("Validated and recorded", callbackResultSchema), ...errors(400, 404, 409, 410) },
            },
          },
        },
      },
    },
    "application/json",
    dockerHubPayloadSchema,
  ),
  ...delivery(
    "cloudevents",
    {
      summary: 'A delivery of a "cloudevents" webhook',
      description:
        "A structured-mode CloudEvents 1.0 event (Content-Type: application/cloudevents+json; charset=utf-8), " +
        `its \`data\` DTR's \`contents\` of the event. ${COMMON}`,
    },
    "application/cloudevents+json",
    cloudEventPayloadSchema,
  ),
  ...delivery(
    "template",
    {
      summary: 'A delivery of a "template" webhook',
      description:
        "The webhook's Liquid template rendered for the event (docs/event-payloads.md, Template variables), " +
        `with the webhook's templateContentType (application/json by default). ${COMMON}`,
    },
    "*/*",
    z.string().meta({ description: "exactly what the template rendered" }),
  ),
  ...delivery(
    "slack",
    {
      summary: 'A delivery of a "slack" webhook (a Slack incoming webhook)',
      description: `Text and Block Kit blocks for a Slack incoming webhook URL. ${COMMON}`,
    },
    "application/json",
    slackMessageShape.meta({ id: "SlackMessage" }),
  ),
  ...delivery(
    "teams",
    {
      summary: 'A delivery of a "teams" webhook (a Microsoft Teams Workflows webhook)',
      description: `A message with one Adaptive Card 1.4 attachment. ${COMMON}`,
    },
    "application/json",
    teamsMessageShape.meta({ id: "TeamsMessage" }),
  ),
  ...delivery(
    "discord",
    {
      summary: 'A delivery of a "discord" webhook (Discord Execute Webhook)',
      description: `Content and one embed, within Discord's limits, mentions off. ${COMMON}`,
    },
    "application/json",
    discordMessageShape.meta({ id: "DiscordMessage" }),
  ),
  ...delivery(
    "googlechat",
    {
      summary: 'A delivery of a "googlechat" webhook (a Google Chat incoming webhook)',
      description: `A text message. ${COMMON}`,
    },
    "application/json",
    googleChatMessageShape.meta({ id: "GoogleChatMessage" }),
  ),
};
