import {
  customHeadersProblem,
  type EventType,
  expandEventPatterns,
  formatTypesProblem,
  isValidNamespace,
  isValidRepositoryName,
  isValidWebhookSecret,
  MAX_EVENT_PATTERN_LENGTH,
  MAX_EVENT_PATTERNS,
  maySubscribe,
  PAYLOAD_FORMATS,
  type PayloadFormat,
  previousSecretInGrace,
  RATE_LIMIT_MAX,
  redactHeaders,
  type Scope,
  SUPPORTED_FORMATS,
  scopeOf,
  splitRepositoryName,
  type TemplateLimits,
  tagFilterProblem,
  tlsCertProblem,
  WEBHOOK_SECRET_RULE,
  webhookFilter,
} from "@hookyard/core";
import {
  type AuthenticatedUser,
  chainOfWebhook,
  type Db,
  deleteWebhook,
  findWebhook,
  insertWebhook,
  type NewWebhook,
  updateWebhook,
  type Webhook,
  type WebhookChanges,
  withinWebhookLimit,
} from "@hookyard/db";
import { z } from "zod";
import { badRequest, forbidden, notFound } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";
import { assertAllowedTarget } from "./target-check.js";
import { webhookLimitReached } from "./webhook-limits.js";
import { resolveTemplateFields, templateFields } from "./webhook-templates.js";

/** The parts of a URL that would not reach the receiver as written; null when there is none. */
function urlProblem(text: string): string | null {
  // Zod has already trimmed the text and dropped tabs and newlines, as URL parsing does; what is
  // left would be percent-encoded when sent, and differ from what is stored and shown.
  if (/[^\x21-\x7e\u0080-\uffff]/.test(text)) return "must not hold spaces or control characters";
  if (!URL.canParse(text)) return null; // the url check above reports it
  const url = new URL(text);
  // Credentials were echoed back in clear and then dropped when sending; a header carries them,
  // masked when shown.
  if (url.username || url.password) {
    return 'must not hold credentials; send them in a header (headers: {"Authorization": ...})';
  }
  // A fragment is never sent in an HTTP request; a receiver relying on it would never see it.
  if (url.href.includes("#")) return "must not have a fragment (#...): it is never sent to the receiver";
  return null;
}

/** The fields a webhook is made of, checked alike on create and on change (and by /api/v0). */
export const fields = {
  name: z.string().trim().min(1).max(200),
  url: z
    .url({ protocol: /^https?$/, error: "must be an http or https URL" })
    .max(2048)
    .superRefine((text, ctx) => {
      const problem = urlProblem(text);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  events: z
    .array(
      z.string().max(MAX_EVENT_PATTERN_LENGTH, `a pattern may be at most ${MAX_EVENT_PATTERN_LENGTH} characters long`),
    )
    .min(1)
    .max(MAX_EVENT_PATTERNS),
  format: z.enum(PAYLOAD_FORMATS),
  secret: z.string().refine(isValidWebhookSecret, WEBHOOK_SECRET_RULE),
  // Names, values and sizes are checked by customHeadersProblem, on the body as sent.
  headers: z.record(z.string(), z.string()),
  filter: webhookFilter,
  enabled: z.boolean(),
  // "" is no certificate: DTR scripts send the field empty.
  tlsCert: z
    .string()
    .transform((pem) => (pem.trim() === "" ? null : pem))
    .superRefine((pem, ctx) => {
      const problem = pem === null ? null : tlsCertProblem(pem);
      if (problem) ctx.addIssue({ code: "custom", message: problem.replace(/^tlsCert: /, "") });
    }),
  skipTLSVerification: z.boolean(),
  // Deliveries per second at most (decision 0021); null: no limit.
  rateLimit: z.int().min(1).max(RATE_LIMIT_MAX).nullable(),
  ...templateFields,
};

export const createWebhookBody = z.strictObject({
  ...fields,
  repository: z.string().optional(),
  namespace: z.string().optional(),
  format: fields.format.default("dtr"),
  secret: fields.secret.optional(),
  headers: fields.headers.default({}),
  filter: fields.filter.optional(),
  enabled: fields.enabled.default(true),
  tlsCert: fields.tlsCert.optional(),
  skipTLSVerification: fields.skipTLSVerification.default(false),
  rateLimit: fields.rateLimit.default(null),
  template: fields.template.optional(),
  templateContentType: fields.templateContentType.optional(),
});

/** PATCH: any of the fields; `secret: null` and `filter: null` remove them. The scope is named only to refuse it. */
export const updateWebhookBody = z.strictObject({
  name: fields.name.optional(),
  url: fields.url.optional(),
  events: fields.events.optional(),
  format: fields.format.optional(),
  secret: fields.secret.nullable().optional(),
  headers: fields.headers.optional(),
  filter: fields.filter.nullable().optional(),
  enabled: fields.enabled.optional(),
  tlsCert: fields.tlsCert.nullable().optional(),
  skipTLSVerification: fields.skipTLSVerification.optional(),
  rateLimit: fields.rateLimit.optional(),
  template: fields.template.optional(),
  templateContentType: fields.templateContentType.optional(),
  repository: z.unknown().optional(),
  namespace: z.unknown().optional(),
});

/** The checks of the body as sent that zod's copy cannot do (it drops a "__proto__" key silently). */
function assertHeaders(body: unknown): void {
  const headers = (body as { headers?: Record<string, string> } | null)?.headers;
  const problem = headers === undefined ? null : customHeadersProblem(headers);
  if (problem) throw badRequest(problem);
}

function assertFormat(format: PayloadFormat): void {
  if (!SUPPORTED_FORMATS.includes(format)) {
    throw badRequest(`format: "${format}" is not available yet; use one of ${SUPPORTED_FORMATS.join(", ")}`);
  }
}

/** Types the format can carry (dockerhub: TAG_PUSH only), or a 400 naming `field`, the one the
 * request set (events, or format when only the format changes). */
function assertFormatTakes(format: PayloadFormat, types: readonly EventType[], field: "events" | "format"): void {
  const problem = formatTypesProblem(format, types);
  if (problem) throw badRequest(`${field}: ${problem}`);
}

/** A tag filter these types can pass, or a 400. */
function assertTagFilter(types: readonly EventType[], filterTags: readonly string[]): void {
  const problem = tagFilterProblem(types, filterTags);
  if (problem) throw badRequest(problem);
}

/** The event types the patterns name for this scope, or a 400 saying which pattern does not fit. */
function subscribedTypes(patterns: readonly string[], scope: Scope): EventType[] {
  const events = expandEventPatterns(patterns, scope);
  if (!events.ok) throw badRequest(events.message);
  return events.types;
}

/** Header names are case-insensitive; they are stored as they go on the wire. */
function wireHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

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
  options: { allowPrivateTargets: boolean; maxWebhooksPerScope: number; templateLimits: TemplateLimits },
): Promise<Webhook> {
  const input = parseInput(createWebhookBody, body);
  assertHeaders(body);
  const scope = scopeFromInput(input);
  if (!maySubscribe(user, scope)) {
    throw forbidden(
      scope.kind === "global"
        ? "only a global admin may create a webhook without a repository or namespace"
        : `you may not subscribe to ${scope.kind === "repository" ? scope.repository : scope.namespace}`,
    );
  }
  const events = subscribedTypes(input.events, scope);
  const filterTags = input.filter?.tags ?? [];
  assertTagFilter(events, filterTags);
  assertFormat(input.format);
  assertFormatTakes(input.format, events, "events");
  const template = resolveTemplateFields(
    input.format,
    input,
    { template: null, templateContentType: null },
    { types: events, scope, limits: options.templateLimits, recheck: false },
  );
  await assertAllowedTarget(input.url, options.allowPrivateTargets);
  const row: NewWebhook = {
    name: input.name,
    url: input.url,
    events,
    namespace: scope.kind === "global" ? null : scope.namespace,
    repository: scope.kind === "repository" ? scope.repository : null,
    format: input.format,
    ...template,
    secret: input.secret ?? null,
    headers: wireHeaders(input.headers),
    filterTags,
    tlsCert: input.tlsCert ?? null,
    skipTlsVerification: input.skipTLSVerification,
    rateLimit: input.rateLimit,
    enabled: input.enabled,
    authorId: user.userId,
  };
  const created = await withinWebhookLimit(db, row, options.maxWebhooksPerScope, (tx) => insertWebhook(db, row, tx));
  if ("refused" in created) throw webhookLimitReached(row, created);
  return created;
}

/**
 * PATCH: the fields given, checked as on create against the webhook's own scope, which cannot
 * change (a webhook of another scope is another subscription, with other people allowed to it).
 * Enabling a webhook clears why it was disabled; `enabled: false` pauses it.
 */
export async function changeWebhook(
  db: Db,
  user: AuthenticatedUser,
  webhook: Webhook,
  body: unknown,
  options: { allowPrivateTargets: boolean; templateLimits: TemplateLimits },
): Promise<Webhook> {
  const input = parseInput(updateWebhookBody, body);
  for (const field of ["repository", "namespace"] as const) {
    if (input[field] !== undefined) {
      throw badRequest(`${field}: the scope of a webhook cannot be changed; create a webhook for the other scope`);
    }
  }
  assertHeaders(body);
  const changes: WebhookChanges = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.events !== undefined) changes.events = subscribedTypes(input.events, scopeOf(webhook));
  if (input.filter !== undefined) changes.filterTags = input.filter?.tags ?? [];
  assertTagFilter((changes.events ?? webhook.events) as EventType[], changes.filterTags ?? webhook.filterTags);
  if (input.format !== undefined) {
    assertFormat(input.format);
    changes.format = input.format;
    const chainId = input.format === "dockerhub" ? null : await chainOfWebhook(db, webhook.id);
    if (chainId) {
      throw badRequest(
        `format: this webhook is a step of chain ${chainId}, whose webhooks must use the dockerhub format (its body carries the callback_url); take it out of the chain first`,
      );
    }
  }
  assertFormatTakes(
    changes.format ?? webhook.format,
    (changes.events ?? webhook.events) as EventType[],
    input.events !== undefined ? "events" : "format",
  );
  // A template is checked again when the types it renders for or the format change.
  Object.assign(
    changes,
    resolveTemplateFields(changes.format ?? webhook.format, input, webhook, {
      types: (changes.events ?? webhook.events) as EventType[],
      scope: scopeOf(webhook),
      limits: options.templateLimits,
      recheck: changes.events !== undefined || (changes.format !== undefined && changes.format !== webhook.format),
    }),
  );
  if (input.url !== undefined) {
    await assertAllowedTarget(input.url, options.allowPrivateTargets);
    changes.url = input.url;
  }
  if (input.secret !== undefined) {
    // A secret set outright replaces every other at once (a leaked one must stop signing now);
    // POST .../secret/rotate is the way with a grace period.
    Object.assign(changes, { secret: input.secret, previousSecret: null, previousSecretUntil: null });
  }
  if (input.headers !== undefined) changes.headers = wireHeaders(input.headers);
  if (input.tlsCert !== undefined) changes.tlsCert = input.tlsCert;
  if (input.skipTLSVerification !== undefined) changes.skipTlsVerification = input.skipTLSVerification;
  if (input.rateLimit !== undefined) changes.rateLimit = input.rateLimit;
  if (input.enabled !== undefined) {
    changes.enabled = input.enabled;
    changes.disabledReason = input.enabled ? null : `paused by ${user.name}`;
    // Failures before it was enabled again do not count towards disabling it again.
    if (input.enabled && !webhook.enabled) changes.enabledAt = new Date();
  }
  // Null when a DELETE committed since the webhook was read: it stays deleted.
  const changed = await updateWebhook(db, webhook.id, changes);
  if (!changed) throw notFound("webhook");
  return changed;
}

/** DELETE: the webhook stops, its pending deliveries are canceled, its history stays (db deleteWebhook). */
export async function removeWebhook(db: Db, user: AuthenticatedUser, webhook: Webhook): Promise<void> {
  if ((await deleteWebhook(db, webhook.id, `deleted by ${user.name}`)) === null) throw notFound("webhook");
}

/**
 * The webhook at `id` if this user may manage it; otherwise not found, so that a webhook of another
 * scope is not even known to exist.
 */
export async function manageableWebhook(db: Db, user: AuthenticatedUser, id: string): Promise<Webhook> {
  const webhook = await findWebhook(db, id);
  if (!webhook || !mayManage(user, webhook)) throw notFound("webhook");
  return webhook;
}

/** Whether the user may read a webhook's deliveries: as for managing it, and once it is deleted,
 * global admins only (its history stays, its scope's people no longer see it). */
export function mayReadHistory(user: AuthenticatedUser, webhook: Webhook): boolean {
  return (webhook.deletedAt === null || user.admin) && mayManage(user, webhook);
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
    template: webhook.template,
    templateContentType: webhook.templateContentType,
    hasSecret: webhook.secret !== null,
    // When a rotated-out secret stops signing; null when none does.
    previousSecretExpiresAt: previousSecretInGrace(webhook, new Date()) ? webhook.previousSecretUntil : null,
    headers: redactHeaders(webhook.headers as Record<string, string>),
    filter: webhook.filterTags.length > 0 ? { tags: webhook.filterTags } : null,
    // A CA certificate is public; it is shown so that people can see which one is trusted.
    tlsCert: webhook.tlsCert,
    skipTLSVerification: webhook.skipTlsVerification,
    rateLimit: webhook.rateLimit,
    enabled: webhook.enabled,
    disabledReason: webhook.disabledReason,
    authorId: webhook.authorId,
    createdAt: webhook.createdAt,
    updatedAt: webhook.updatedAt,
    lastSuccessfulAt: webhook.lastSuccessfulAt,
  };
}
