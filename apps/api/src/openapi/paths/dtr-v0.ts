import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { dtrTestBody, dtrWebhookBody } from "../../services/dtr-v0.js";
import { idParam } from "../params.js";
import { AUTHENTICATED, errors, json, noContent, ok, WITH_BASIC } from "../responses.js";
import { nullableTimestamp, timestamp } from "../schemas/common.js";

const tags = ["DTR compatibility"];

/** services/dtr-v0.ts presentDtrWebhook. */
const dtrWebhookSchema = z
  .object({
    id: z.string(),
    type: z.string().meta({ description: "the event type (a v1 webhook of several types shows its first)" }),
    key: z.string().meta({ description: '"ns/repo", "ns", or "" for a global subscription' }),
    endpoint: z.string(),
    authorID: z.string(),
    createdAt: timestamp,
    lastSuccessfulAt: nullableTimestamp,
    inactive: z.boolean(),
    tlsCert: z.string(),
    skipTLSVerification: z.boolean(),
  })
  .meta({ id: "DtrWebhook" });
const dtrWebhookList = z
  .array(dtrWebhookSchema)
  .meta({ id: "DtrWebhookList", description: "every one of them: DTR's lists are not paged" });

const testOutcome = z
  .object({
    statusCode: z.int().nullable(),
    durationMs: z.int(),
    error: z.string().nullable(),
    responseBody: z.string().nullable(),
  })
  .meta({ id: "DtrTestOutcome" });

/** "List a repository's subscriptions" -> "listARepositorySSubscriptions". */
function operationIdOf(summary: string): string {
  const words = summary.split(/\W+/).filter((word) => word !== "");
  return words.map((word, i) => (i === 0 ? word[0]?.toLowerCase() : word[0]?.toUpperCase()) + word.slice(1)).join("");
}

const listedBy = (summary: string, path: z.ZodObject) => ({
  get: {
    operationId: operationIdOf(summary),
    tags,
    security: WITH_BASIC,
    summary,
    requestParams: { path },
    responses: { 200: ok("The subscriptions", dtrWebhookList), ...errors(400, ...AUTHENTICATED, 403) },
  },
});

/** /api/v0 (routes/dtr-v0.ts): DTR's webhook API, so that DTR scripts work unchanged. */
export const dtrV0Paths: ZodOpenApiPathsObject = {
  "/api/v0/webhooks": {
    post: {
      operationId: "dtrCreateWebhook",
      tags,
      security: WITH_BASIC,
      summary: "Subscribe (DTR)",
      description:
        "A `dtr`-format webhook of one type; `key` is its scope. Same permissions as /api/v1, and the same " +
        "limit per scope (409 `webhook_limit`).",
      requestBody: { required: true, content: json(dtrWebhookBody.meta({ id: "DtrCreateWebhookRequest" })) },
      responses: {
        201: ok("The subscription", dtrWebhookSchema),
        ...errors(400, ...AUTHENTICATED, 403, 409, 413, 415),
      },
    },
    get: {
      operationId: "dtrListWebhooks",
      tags,
      security: WITH_BASIC,
      summary: "The caller's subscriptions (all of them for a global admin)",
      responses: { 200: ok("The subscriptions", dtrWebhookList), ...errors(...AUTHENTICATED) },
    },
  },
  "/api/v0/webhooks/{id}": {
    delete: {
      operationId: "dtrDeleteWebhook",
      tags,
      security: WITH_BASIC,
      summary: "Delete a subscription (DTR)",
      requestParams: { path: z.object({ id: idParam("webhook", "the subscription's id") }) },
      responses: { 204: noContent, ...errors(...AUTHENTICATED, 404) },
    },
  },
  "/api/v0/webhooks/test": {
    post: {
      operationId: "dtrTestWebhook",
      tags,
      security: WITH_BASIC,
      summary: "Send a sample of a type to an endpoint (DTR)",
      description: "Nothing is stored. The caller must be allowed to subscribe to the type somewhere.",
      requestBody: { required: true, content: json(dtrTestBody.meta({ id: "DtrTestRequest" })) },
      responses: { 200: ok("What the endpoint answered", testOutcome), ...errors(400, ...AUTHENTICATED, 403, 415) },
    },
  },
  "/api/v0/repositories/{ns}/{repo}/webhooks": listedBy(
    "List a repository's subscriptions",
    z.object({ ns: z.string(), repo: z.string() }),
  ),
  "/api/v0/repositories/{ns}/webhooks": listedBy("List a namespace's subscriptions", z.object({ ns: z.string() })),
};
