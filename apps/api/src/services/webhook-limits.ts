import { isValidNamespace, isValidRepositoryName, splitRepositoryName } from "@hookyard/core";
import {
  type AuthenticatedUser,
  type Db,
  listWebhookLimits,
  mapPage,
  type PageQuery,
  setWebhookLimit,
  type WebhookLimitRefusal,
  type WebhookLimitView,
  type WebhookScopeRow,
} from "@hookyard/db";
import { z } from "zod";
import { ApiError, badRequest } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";

/** The setting whose value every scope has unless a global admin set another. */
export const LIMIT_SETTING = "HOOKYARD_MAX_WEBHOOKS_PER_SCOPE";

/** The largest limit a scope may be given. */
const MAX_LIMIT = 1_000_000;

/** PUT /api/v1/limits/webhooks: one scope, and its limit (null: the setting's again). */
export const webhookLimitBody = z.strictObject({
  repository: z.string().max(255).optional().meta({ description: '"ns/repo": the repository\'s own webhooks' }),
  namespace: z
    .string()
    .max(255)
    .optional()
    .meta({ description: "the namespace's own webhooks (not its repositories')" }),
  global: z.literal(true).optional().meta({ description: "the webhooks of no repository and no namespace" }),
  max: z
    .int()
    .min(0)
    .max(MAX_LIMIT)
    .nullable()
    .meta({ description: `most undeleted webhooks of the scope; null: back to ${LIMIT_SETTING}` }),
});

/** Exactly one of repository, namespace and global, as a scope. */
function limitScope(input: z.infer<typeof webhookLimitBody>): WebhookScopeRow {
  const given = (["repository", "namespace", "global"] as const).filter((field) => input[field] !== undefined);
  if (given.length !== 1) {
    throw badRequest(`${given[1] ?? "repository"}: give one scope: repository, namespace or global (true)`);
  }
  if (input.repository !== undefined) {
    if (!isValidRepositoryName(input.repository)) {
      throw badRequest(`repository: "${input.repository}" is not a repository name such as "namespace/name"`);
    }
    return { repository: input.repository, namespace: splitRepositoryName(input.repository).namespace };
  }
  if (input.namespace !== undefined) {
    if (!isValidNamespace(input.namespace)) throw badRequest(`namespace: "${input.namespace}" is not a namespace name`);
    return { repository: null, namespace: input.namespace };
  }
  return { repository: null, namespace: null };
}

/** How a scope is named to people. */
function scopeName(scope: WebhookScopeRow): string {
  if (scope.repository !== null) return `repository ${scope.repository}`;
  if (scope.namespace !== null) return `namespace ${scope.namespace}`;
  return "the global scope";
}

/** The answer to a create past the scope's limit: 409 `webhook_limit`, naming the scope and the setting. */
export function webhookLimitReached(scope: WebhookScopeRow, refusal: WebhookLimitRefusal): ApiError {
  const source =
    refusal.source === "admin" ? `set by a global admin in place of ${LIMIT_SETTING}` : `from ${LIMIT_SETTING}`;
  return new ApiError(
    409,
    "webhook_limit",
    `${scopeName(scope)} has ${refusal.count} webhooks and may have at most ${refusal.max} (${source}); ` +
      "delete one first, or ask a global admin to raise this scope's limit (PUT /api/v1/limits/webhooks)",
  );
}

/** A scope's limit as the API shows it. */
export function presentLimit(view: WebhookLimitView) {
  return {
    repository: view.repository,
    namespace: view.namespace,
    global: view.repository === null && view.namespace === null,
    max: view.max,
    source: view.source,
    webhooks: view.webhooks,
    updatedAt: view.updatedAt,
  };
}

export async function changeWebhookLimit(db: Db, user: AuthenticatedUser, body: unknown, defaultMax: number) {
  const input = parseInput(webhookLimitBody, body);
  const view = await setWebhookLimit(db, limitScope(input), input.max, user.userId, defaultMax);
  return presentLimit(view);
}

export async function webhookLimits(db: Db, page: PageQuery, defaultMax: number) {
  return {
    setting: LIMIT_SETTING,
    default: defaultMax,
    ...mapPage(await listWebhookLimits(db, page, defaultMax), presentLimit),
  };
}
