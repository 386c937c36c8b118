import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { webhookLimitsQuery } from "../../routes/limits.js";
import { LIMIT_SETTING, webhookLimitBody } from "../../services/webhook-limits.js";
import { AUTHENTICATED, errors, json, ok } from "../responses.js";
import { nullableTimestamp, pageOf } from "../schemas/common.js";

const tags = ["Limits"];
const ADMIN_ONLY = [...AUTHENTICATED, 403] as const;

/** services/webhook-limits.ts presentLimit. */
const webhookLimitSchema = z
  .object({
    repository: z.string().nullable().meta({ description: "the repository, for a repository's limit" }),
    namespace: z.string().nullable().meta({ description: "the namespace, for a namespace's own limit" }),
    global: z.boolean().meta({ description: "the limit of the webhooks of no repository and no namespace" }),
    max: z.int().meta({ description: "most undeleted webhooks the scope may have" }),
    source: z.enum(["admin", "setting"]).meta({ description: `admin: set for this scope; setting: ${LIMIT_SETTING}` }),
    webhooks: z.int().meta({ description: "its undeleted webhooks now" }),
    updatedAt: nullableTimestamp.meta({ description: "when a global admin last set it; null for the setting" }),
  })
  .meta({ id: "WebhookLimit" });

const webhookLimitListSchema = pageOf(webhookLimitSchema)
  .extend({
    setting: z.literal(LIMIT_SETTING),
    default: z.int().meta({ description: `the value of ${LIMIT_SETTING}: every scope's limit unless set` }),
  })
  .meta({ id: "WebhookLimitList" });

/** /api/v1/limits (routes/limits.ts): how many webhooks one scope may have (global admins only). */
export const limitPaths: ZodOpenApiPathsObject = {
  "/api/v1/limits/webhooks": {
    get: {
      operationId: "listWebhookLimits",
      tags,
      summary: "The scopes whose webhook limit a global admin set, by scope",
      description: `Every other scope may have ${LIMIT_SETTING} undeleted webhooks (\`default\`).`,
      requestParams: { query: webhookLimitsQuery },
      responses: { 200: ok("A page of limits", webhookLimitListSchema), ...errors(400, ...ADMIN_ONLY) },
    },
    put: {
      operationId: "setWebhookLimit",
      tags,
      summary: "Set how many webhooks one scope may have",
      description:
        'One scope: `{"repository": "ns/repo"}`, `{"namespace": "ns"}` (its own webhooks, not its repositories\') ' +
        `or \`{"global": true}\`, and \`max\` (0 to 1000000), or \`null\` for ${LIMIT_SETTING} again. A limit ` +
        "below the webhooks the scope has keeps them all; creating more is refused (409 `webhook_limit`) " +
        "until enough are deleted.",
      requestBody: { required: true, content: json(webhookLimitBody.meta({ id: "SetWebhookLimitRequest" })) },
      responses: { 200: ok("The scope's limit now", webhookLimitSchema), ...errors(400, ...ADMIN_ONLY, 413, 415) },
    },
  },
};
