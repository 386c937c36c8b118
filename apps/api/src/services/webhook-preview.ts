import {
  type AcceptedEvent,
  buildDeliveryHeaders,
  EVENT_TYPES,
  type EventType,
  formatTypesProblem,
  isValidRepositoryName,
  maySubscribe,
  type RegistryEvent,
  renderPayload,
  type Scope,
  sampleEvent,
  scopeOf,
  splitRepositoryName,
  TemplateError,
  type TemplateLimits,
} from "@hookyard/core";
import { type AuthenticatedUser, type Db, eventFromRow } from "@hookyard/db";
import { USER_AGENT } from "@hookyard/transport";
import { z } from "zod";
import { badRequest, notFound } from "../http/api-error.js";
import { isIdOf } from "../http/path-id.js";
import { parseInput } from "../http/validate.js";
import { resolveTemplateFields, templateProblem } from "./webhook-templates.js";
import { fields } from "./webhooks.js";

/*
 * POST /api/v1/webhooks/preview: what a webhook of a format (and template) would send for an event,
 * without a webhook and without sending anything. The event is a stored one the caller may see
 * (`eventId`, or the newest of a repository: `latestOf`), or a sample of `eventType` (the one a
 * test sends) in `repository`.
 */

export const previewBody = z
  .strictObject({
    format: fields.format,
    template: fields.template.optional(),
    templateContentType: fields.templateContentType.optional(),
    eventType: z
      .enum(EVENT_TYPES)
      .optional()
      .meta({ description: "the sample's type, or the stored one's; default TAG_PUSH for a sample" }),
    repository: z.string().optional().meta({ description: 'the sample\'s repository ("ns/repo")' }),
    eventId: z.string().optional().meta({ description: "a stored event to render (evt_...)" }),
    latestOf: z
      .string()
      .optional()
      .meta({ description: 'the newest stored event of this repository ("ns/repo"), of eventType if given' }),
  })
  .meta({ id: "PreviewWebhookRequest" });

export interface PreviewDeps {
  db: Db;
  publicUrl: string;
  templateLimits: TemplateLimits;
}

function repositoryScope(field: string, repository: string): Scope {
  if (!isValidRepositoryName(repository)) {
    throw badRequest(`${field}: "${repository}" is not a repository name such as "namespace/name"`);
  }
  return { kind: "repository", namespace: splitRepositoryName(repository).namespace, repository };
}

/** A stored event the user may see (as they may see its scope's webhooks), else 404 as if there were none. */
function visible(user: AuthenticatedUser, event: RegistryEvent): boolean {
  return maySubscribe(user, scopeOf(event));
}

async function eventToRender(
  deps: PreviewDeps,
  user: AuthenticatedUser,
  input: z.infer<typeof previewBody>,
): Promise<{ event: AcceptedEvent; scope: Scope }> {
  const sources = [input.eventId, input.latestOf, input.repository].filter((v) => v !== undefined);
  if (sources.length > 1) throw badRequest("eventId: give one of eventId, latestOf and repository");
  if (input.eventId !== undefined) {
    const row = isIdOf("event", input.eventId)
      ? await deps.db.event.findUnique({ where: { id: input.eventId } })
      : null;
    const event = row && { ...eventFromRow(row), id: row.id };
    if (!event || !visible(user, event)) throw notFound("event");
    if (input.eventType !== undefined && input.eventType !== event.type) {
      throw badRequest(`eventType: event ${event.id} is a ${event.type} event, not ${input.eventType}`);
    }
    return { event, scope: scopeOf(event) };
  }
  if (input.latestOf !== undefined) {
    const scope = repositoryScope("latestOf", input.latestOf);
    if (!maySubscribe(user, scope)) throw notFound("event");
    const row = await deps.db.event.findFirst({
      where: { repository: input.latestOf, ...(input.eventType ? { type: input.eventType } : {}) },
      orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
    });
    if (!row) throw notFound("event");
    return { event: { ...eventFromRow(row), id: row.id }, scope };
  }
  // A sample reveals nothing stored: any repository name will do, as for a test send.
  const scope =
    input.repository === undefined ? ({ kind: "global" } as const) : repositoryScope("repository", input.repository);
  const type: EventType = input.eventType ?? "TAG_PUSH";
  return { event: { ...sampleEvent(type, scope, "preview"), id: "evt_preview" }, scope };
}

export async function previewWebhook(deps: PreviewDeps, user: AuthenticatedUser, body: unknown) {
  const input = parseInput(previewBody, body);
  const { event, scope } = await eventToRender(deps, user, input);
  const problem = formatTypesProblem(input.format, [event.type]);
  if (problem) throw badRequest(`format: ${problem}`);
  const template = resolveTemplateFields(
    input.format,
    input,
    { template: null, templateContentType: null },
    { types: [event.type], scope, limits: deps.templateLimits, recheck: false },
  );
  const deliveryId = "dlv_preview";
  let payload: ReturnType<typeof renderPayload>;
  try {
    payload = renderPayload(input.format, event, event.id, {
      // A dockerhub delivery's callback_url is issued when it is sent.
      callbackUrl: `${deps.publicUrl}/api/v1/callbacks/issued-when-sent`,
      ...template,
      templateLimits: deps.templateLimits,
      subject: { deliveryId, webhook: { id: "wh_preview", name: "preview" } },
    });
  } catch (error) {
    if (error instanceof TemplateError) throw templateProblem(error);
    throw error;
  }
  // What every delivery carries, unsigned here: there is no webhook, so no secret and no custom headers.
  const headers = buildDeliveryHeaders({
    deliveryId,
    eventType: event.type,
    contentType: payload.contentType,
    body: payload.body,
    timestampSeconds: Math.floor(Date.now() / 1000),
    secret: null,
    previousSecret: null,
    userAgent: USER_AGENT,
    custom: {},
  });
  return {
    eventId: event.id,
    eventType: event.type,
    repository: event.repository,
    tag: event.tag,
    occurredAt: event.occurredAt,
    contentType: payload.contentType,
    body: payload.body,
    headers,
  };
}
