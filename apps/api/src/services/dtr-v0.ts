import { EVENT_TYPES, isValidNamespace, isValidRepositoryName, maySubscribe, type Scope } from "@hookyard/core";
import type { AuthenticatedUser, Webhook } from "@hookyard/db";
import { z } from "zod";
import { ApiError, badRequest, forbidden } from "../http/api-error.js";
import { fields } from "./webhooks.js";

/**
 * DTR's webhook API (/api/v0), on Hookyard's own webhooks: a DTR subscription is a `dtr`-format
 * webhook of one event type, and `key` names its scope ("ns/repo", "ns", or nothing for global).
 */
export const dtrWebhookBody = z.strictObject({
  type: z.enum(EVENT_TYPES),
  key: z.string().max(512).optional(),
  endpoint: fields.url,
  tlsCert: fields.tlsCert.optional(),
  skipTLSVerification: fields.skipTLSVerification.optional(),
});

export const dtrTestBody = z.strictObject({ type: z.enum(EVENT_TYPES), endpoint: fields.url });

/** The v1 create body of a DTR subscription; its answer is checked by the same service. */
export function v1WebhookBody(input: z.infer<typeof dtrWebhookBody>) {
  const key = input.key?.trim() ?? "";
  return {
    // v1 names are at most 200 characters; a long key is still a valid scope.
    name: `${input.type} ${key || "(global)"}`.slice(0, 200),
    url: input.endpoint,
    events: [input.type],
    format: "dtr",
    ...(key.includes("/") ? { repository: key } : key ? { namespace: key } : {}),
    ...(input.tlsCert !== undefined ? { tlsCert: input.tlsCert ?? "" } : {}),
    ...(input.skipTLSVerification !== undefined ? { skipTLSVerification: input.skipTLSVerification } : {}),
  };
}

/** v1's field names in messages, as a DTR caller named them. */
const V0_FIELD: Record<string, string> = { url: "endpoint", events: "type", repository: "key", namespace: "key" };

/** Runs a v1 service for a v0 caller: a 400 names the field the caller sent, not v1's. */
export async function asV0<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    const message = error.message.replace(/^(\w+)(?=[:.[])/, (field) => V0_FIELD[field] ?? field);
    throw new ApiError(error.status, error.code, message);
  }
}

/** DTR's answer shape. A v1 webhook of several types shows its first: DTR's shape has one. */
export function presentDtrWebhook(webhook: Webhook) {
  return {
    id: webhook.id,
    type: webhook.events[0] ?? "",
    key: webhook.repository ?? webhook.namespace ?? "",
    endpoint: webhook.url,
    authorID: webhook.authorId ?? "",
    createdAt: webhook.createdAt,
    lastSuccessfulAt: webhook.lastSuccessfulAt,
    inactive: !webhook.enabled,
    tlsCert: webhook.tlsCert ?? "",
    skipTLSVerification: webhook.skipTlsVerification,
  };
}

type NamespaceScope = Extract<Scope, { kind: "namespace" }>;
type RepositoryScope = Extract<Scope, { kind: "repository" }>;

/**
 * The scope of /api/v0/repositories/{ns}[/{repo}]/webhooks. Only its administrators may list it.
 */
export function repositoryPathScope(user: AuthenticatedUser, segments: readonly [string]): NamespaceScope;
export function repositoryPathScope(user: AuthenticatedUser, segments: readonly [string, string]): RepositoryScope;
export function repositoryPathScope(
  user: AuthenticatedUser,
  segments: readonly string[],
): NamespaceScope | RepositoryScope {
  const name = segments.join("/");
  let scope: NamespaceScope | RepositoryScope;
  if (segments.length === 1) {
    if (!isValidNamespace(name)) throw badRequest(`namespace: "${name}" is not a namespace name`);
    scope = { kind: "namespace", namespace: name };
  } else {
    if (!isValidRepositoryName(name)) throw badRequest(`repository: "${name}" is not a repository name`);
    scope = { kind: "repository", namespace: segments[0] as string, repository: name };
  }
  if (!maySubscribe(user, scope)) throw forbidden(`you do not administer ${name}`);
  return scope;
}
