import {
  customHeadersProblem,
  expandEventPatterns,
  isValidNamespace,
  isValidRepositoryName,
  isValidWebhookSecret,
  MAX_EVENT_PATTERN_LENGTH,
  MAX_EVENT_PATTERNS,
  maySubscribe,
  type PayloadFormatName,
  redactHeaders,
  type Scope,
  SUPPORTED_FORMATS,
  scopeOf,
  splitRepositoryName,
  WEBHOOK_SECRET_RULE,
} from "@hookyard/core";
import { type AuthenticatedUser, type Db, insertWebhook, type Webhook } from "@hookyard/db";
import { z } from "zod";
import { badRequest, forbidden } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";
import { assertAllowedTarget } from "./target-check.js";

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

export const createWebhookBody = z.strictObject({
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
  repository: z.string().optional(),
  namespace: z.string().optional(),
  format: z.enum(["dtr", "dockerhub", "cloudevents"]).default("dtr"),
  secret: z.string().refine(isValidWebhookSecret, WEBHOOK_SECRET_RULE).optional(),
  // Names, values and sizes are checked by customHeadersProblem (createWebhook).
  headers: z.record(z.string(), z.string()).default({}),
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
  // The headers as sent rather than zod's copy, which drops a "__proto__" key without a word.
  const headersProblem = customHeadersProblem((body as { headers?: Record<string, string> }).headers ?? {});
  if (headersProblem) throw badRequest(headersProblem);
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
