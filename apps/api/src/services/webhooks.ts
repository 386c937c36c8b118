import {
  expandEventPatterns,
  isReservedHeader,
  isValidNamespace,
  isValidRepositoryName,
  maySubscribe,
  type PayloadFormatName,
  redactHeaders,
  type Scope,
  SUPPORTED_FORMATS,
  scopeOf,
  splitRepositoryName,
} from "@hookyard/core";
import { type AuthenticatedUser, type Db, insertWebhook, type Webhook } from "@hookyard/db";
import { z } from "zod";
import { badRequest, forbidden } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";
import { assertAllowedTarget } from "./target-check.js";

export const createWebhookBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  url: z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(2048),
  events: z.array(z.string()).min(1).max(50),
  repository: z.string().optional(),
  namespace: z.string().optional(),
  format: z.enum(["dtr", "dockerhub", "cloudevents"]).default("dtr"),
  secret: z.string().min(16).max(256).optional(),
  headers: z
    .record(
      z
        .string()
        .regex(/^[A-Za-z0-9-]{1,100}$/, "is not a header name")
        .refine((name) => !isReservedHeader(name), "is set by Hookyard and cannot be overridden"),
      z.string().max(2048),
    )
    .default({}),
  enabled: z.boolean().default(true),
});

function scopeFromInput(input: { repository?: string | undefined; namespace?: string | undefined }): Scope {
  if (input.repository !== undefined) {
    if (!isValidRepositoryName(input.repository)) {
      throw badRequest(`repository: "${input.repository}" is not a repository name such as "namespace/name"`);
    }
    const { namespace } = splitRepositoryName(input.repository);
    if (input.namespace !== undefined && input.namespace !== namespace) {
      throw badRequest(`namespace: "${input.namespace}" is not the namespace of repository ${input.repository}`);
    }
    return { kind: "repository", namespace, repository: input.repository };
  }
  if (input.namespace !== undefined) {
    if (!isValidNamespace(input.namespace)) throw badRequest(`namespace: "${input.namespace}" is not a namespace name`);
    return { kind: "namespace", namespace: input.namespace };
  }
  return { kind: "global" };
}

export async function createWebhook(
  db: Db,
  user: AuthenticatedUser,
  body: unknown,
  options: { allowPrivateTargets: boolean },
): Promise<Webhook> {
  const input = parseInput(createWebhookBody, body);
  const scope = scopeFromInput(input);
  if (!maySubscribe(user, scope)) {
    throw forbidden(
      scope.kind === "global"
        ? "only a global admin may create a webhook without a repository or namespace"
        : `you may not subscribe to ${scope.kind === "repository" ? scope.repository : scope.namespace}`,
    );
  }
  const events = expandEventPatterns(input.events, scope);
  if (!events.ok) throw badRequest(events.message);
  if (!SUPPORTED_FORMATS.includes(input.format)) {
    throw badRequest(`format: "${input.format}" is not available yet; use one of ${SUPPORTED_FORMATS.join(", ")}`);
  }
  await assertAllowedTarget(input.url, options.allowPrivateTargets);
  return insertWebhook(db, {
    name: input.name,
    url: input.url,
    events: events.types,
    namespace: scope.kind === "global" ? null : scope.namespace,
    repository: scope.kind === "repository" ? scope.repository : null,
    format: input.format as PayloadFormatName,
    secret: input.secret ?? null,
    // Header names are case-insensitive; store them as they go on the wire.
    headers: Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v])),
    enabled: input.enabled,
    authorId: user.userId,
  });
}

/** Whether the user may see (and manage) a webhook: the same rule as subscribing to its scope. */
export function mayManage(user: AuthenticatedUser, webhook: Pick<Webhook, "namespace" | "repository">): boolean {
  return maySubscribe(user, scopeOf(webhook));
}

/** The API's view of a webhook: never the secret, and header values that look like credentials masked. */
export function presentWebhook(webhook: Webhook) {
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    events: webhook.events,
    repository: webhook.repository,
    namespace: webhook.namespace,
    format: webhook.format,
    hasSecret: webhook.secret !== null,
    headers: redactHeaders(webhook.headers as Record<string, string>),
    enabled: webhook.enabled,
    disabledReason: webhook.disabledReason,
    authorId: webhook.authorId,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
    lastSuccessfulAt: webhook.lastSuccessfulAt,
  };
}
