import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { listQuery } from "../../routes/webhooks.js";
import { rotateSecretBody } from "../../services/secret-rotation.js";
import { previewBody } from "../../services/webhook-preview.js";
import { testWebhookBody } from "../../services/webhook-test.js";
import { createWebhookBody, updateWebhookBody } from "../../services/webhooks.js";
import { idParam } from "../params.js";
import { AUTHENTICATED, errors, json, noContent, ok } from "../responses.js";
import { testResultSchema } from "../schemas/deliveries.js";
import { previewSchema, webhookListSchema, webhookSchema } from "../schemas/webhooks.js";

const tags = ["Webhooks"];
const webhookPath = z.object({ id: idParam("webhook", "the webhook's id") });

// The PATCH schema names repository and namespace only to refuse them with a clear message; a
// client must not take them for changeable fields.
const updateRequest = updateWebhookBody.omit({ repository: true, namespace: true });

/** /api/v1/webhooks (routes/webhooks.ts). */
export const webhookPaths: ZodOpenApiPathsObject = {
  "/api/v1/webhooks": {
    post: {
      operationId: "createWebhook",
      tags,
      summary: "Subscribe a URL to events",
      description:
        "No repository and no namespace means global (global admins only). `events` may hold `*` and globs " +
        "such as `TAG_*`, expanded to the types the scope allows. 403 when the caller may not subscribe to " +
        "the scope; 400 when a type does not fit it, or the URL is refused as a target. A `dockerhub` webhook " +
        "takes TAG_PUSH only (Docker Hub's body describes a push). 409 `webhook_limit` when the scope already " +
        "has as many undeleted webhooks as HOOKYARD_MAX_WEBHOOKS_PER_SCOPE allows (or the limit a global admin " +
        "set for it: PUT /api/v1/limits/webhooks). `template` and `templateContentType` go with format `template` " +
        "only (and it needs a template): the template is parsed and rendered against a sample of each type, and " +
        "a problem is a 400 naming its line and column.",
      requestBody: { required: true, content: json(createWebhookBody.meta({ id: "CreateWebhookRequest" })) },
      responses: {
        201: ok("The webhook", webhookSchema),
        ...errors(400, ...AUTHENTICATED, 403, 409, 413, 415),
      },
    },
    get: {
      operationId: "listWebhooks",
      tags,
      summary: "The webhooks the caller may manage, newest first",
      description:
        "`repository` keeps one repository's; `namespace` a namespace's, its repositories' included; `scope` " +
        "one kind of scope. A page at a time: follow `nextCursor` to the end for all of them.",
      requestParams: { query: listQuery },
      responses: { 200: ok("A page of webhooks", webhookListSchema), ...errors(400, ...AUTHENTICATED) },
    },
  },
  "/api/v1/webhooks/preview": {
    post: {
      operationId: "previewWebhook",
      tags,
      summary: "Render what a webhook of a format would send, without sending anything",
      description:
        "Renders `format` (with `template` for the template format) for a stored event the caller may see " +
        "(`eventId`; or `latestOf`: the newest event of that repository, of `eventType` if given), or for a " +
        "sample of `eventType` (TAG_PUSH by default) in `repository`, the event a test sends. A stored event " +
        "is found only in a scope whose webhooks the caller may manage (404 otherwise, and 404 when " +
        "`latestOf` has none). A template is checked as at creation: 400 naming the line and what is wrong.",
      requestBody: { required: true, content: json(previewBody) },
      responses: { 200: ok("The body and headers", previewSchema), ...errors(400, ...AUTHENTICATED, 404, 413, 415) },
    },
  },
  "/api/v1/webhooks/{id}": {
    get: {
      operationId: "getWebhook",
      tags,
      summary: "One webhook",
      requestParams: { path: webhookPath },
      responses: { 200: ok("The webhook", webhookSchema), ...errors(...AUTHENTICATED, 404) },
    },
    patch: {
      operationId: "updateWebhook",
      tags,
      summary: "Change, pause or resume a webhook",
      description:
        "Any of the fields, checked as on creation; `secret: null` removes the secret, `enabled: false` " +
        "pauses the webhook. Its repository or namespace cannot change (400).",
      requestParams: { path: webhookPath },
      requestBody: { content: json(updateRequest.meta({ id: "UpdateWebhookRequest" })) },
      responses: {
        200: ok("The webhook as changed", webhookSchema),
        ...errors(400, ...AUTHENTICATED, 404, 413, 415),
      },
    },
    delete: {
      operationId: "deleteWebhook",
      tags,
      summary: "Stop a webhook for good",
      description: "Cancels its pending deliveries; their history stays readable by global admins.",
      requestParams: { path: webhookPath },
      responses: { 204: noContent, ...errors(...AUTHENTICATED, 404) },
    },
  },
  "/api/v1/webhooks/{id}/test": {
    post: {
      operationId: "testWebhook",
      tags,
      summary: "Send a sample event now",
      description:
        "A sample of the webhook's first type (or `type`) in its format, signed, sent once and kept in its " +
        "history marked `test`. Answers with the attempt whatever the receiver said; never retried, and a 410 " +
        "does not disable the webhook.",
      requestParams: { path: webhookPath },
      requestBody: { content: json(testWebhookBody.meta({ id: "TestWebhookRequest" })) },
      responses: { 200: ok("The attempt", testResultSchema), ...errors(400, ...AUTHENTICATED, 404, 415) },
    },
  },
  "/api/v1/webhooks/{id}/secret/rotate": {
    post: {
      operationId: "rotateWebhookSecret",
      tags,
      summary: "Give a webhook a new secret; the old one keeps signing for a grace period",
      description:
        "The new secret is the one given, or a generated `whsec_` key, and is shown only in this answer. " +
        "For `grace` (24h by default, at most 30d, `0s` for none) deliveries carry both signatures.",
      requestParams: { path: webhookPath },
      requestBody: { content: json(rotateSecretBody.meta({ id: "RotateSecretRequest" })) },
      responses: {
        200: ok(
          "The new secret",
          z
            .object({ secret: z.string(), previousSecretExpiresAt: z.iso.datetime().nullable() })
            .meta({ id: "RotatedSecret" }),
        ),
        ...errors(400, ...AUTHENTICATED, 404, 415),
      },
    },
  },
};
