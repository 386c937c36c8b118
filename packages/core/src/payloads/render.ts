import type { EventType } from "../event-types.js";
import { PAYLOAD_FORMATS, type PayloadFormat } from "../payload-format.js";
import type { RegistryEvent } from "../registry-event.js";
import { CHAT_TEMPLATES } from "./chat-templates.js";
import { renderCloudEvent } from "./cloudevents.js";
import { renderDockerHub } from "./dockerhub.js";
import { renderDtr } from "./dtr.js";
import {
  DEFAULT_TEMPLATE_LIMITS,
  renderTemplate,
  type TemplateLimits,
  type TemplateSubject,
  templateScope,
} from "./template.js";

/** Formats a webhook can be created with today: every one the database knows, for now. */
export const SUPPORTED_FORMATS: readonly PayloadFormat[] = PAYLOAD_FORMATS;

/** The event types a format can describe, for the formats that cannot describe them all. Docker
 * Hub's body describes a push and nothing else (push_data, no event type). */
const FORMAT_TYPES: Partial<Record<PayloadFormat, readonly EventType[]>> = { dockerhub: ["TAG_PUSH"] };

/** Why a webhook of this format cannot take these types (for a 400, after the field's name), or null. */
export function formatTypesProblem(format: PayloadFormat, types: readonly EventType[]): string | null {
  const carried = FORMAT_TYPES[format];
  const refused = carried ? types.filter((type) => !carried.includes(type)) : [];
  if (!carried || refused.length === 0) return null;
  return `a ${format} webhook takes only ${carried.join(", ")}; it cannot carry ${refused.join(", ")}`;
}

// Hookyard's chat templates are not bound by the settings meant for webhook owners' templates.
const CHAT_TEMPLATE_MAX_BYTES = 64 * 1024;
const CHAT_OUTPUT_MAX_BYTES = 64 * 1024;
const CHAT_RENDER_TIMEOUT_MS = 60_000;

export interface RenderedPayload {
  body: string;
  contentType: string;
}

/** What some formats need besides the event. */
export interface RenderOptions {
  /** The delivery's callback_url: required by `dockerhub`, whose every delivery carries one. */
  callbackUrl?: string;
  /** The webhook's template and its content type: required by `template`. */
  template?: string | null;
  templateContentType?: string | null;
  /** Bounds of a template render (HOOKYARD_TEMPLATE_*); the defaults when not given. */
  templateLimits?: TemplateLimits;
  /** The delivery and webhook a template may name (delivery.id, webhook.id, webhook.name). */
  subject?: TemplateSubject;
}

/** The content type of a `template` webhook that names none. */
export const DEFAULT_TEMPLATE_CONTENT_TYPE = "application/json";

/**
 * The body of a delivery in a webhook's format; `eventId` is the event's id, the same on every try.
 * A template (the `template` format, and the chat formats' own) that fails to render throws a
 * TemplateError: the caller fails that attempt with it.
 */
export function renderPayload(
  format: PayloadFormat,
  event: RegistryEvent,
  eventId: string,
  options: RenderOptions = {},
): RenderedPayload {
  switch (format) {
    case "dtr":
      return { body: JSON.stringify(renderDtr(event)), contentType: "application/json" };
    case "cloudevents":
      return renderCloudEvent(event, eventId);
    case "dockerhub":
      // Sending one without a callback_url would break the contract; this is a caller's bug.
      if (!options.callbackUrl) throw new Error("payload format dockerhub needs the delivery's callback_url");
      return { body: JSON.stringify(renderDockerHub(event, options.callbackUrl)), contentType: "application/json" };
    case "template": {
      if (typeof options.template !== "string") throw new Error("payload format template needs the webhook's template");
      const scope = templateScope(event, eventId, options.subject);
      return {
        body: renderTemplate(options.template, scope, options.templateLimits ?? DEFAULT_TEMPLATE_LIMITS),
        contentType: options.templateContentType ?? DEFAULT_TEMPLATE_CONTENT_TYPE,
      };
    }
    case "slack":
    case "teams":
    case "discord":
    case "googlechat": {
      const scope = templateScope(event, eventId, options.subject);
      // Hookyard's own templates have no loop over the event and cut every value, so their cost is
      // bounded by their source. HOOKYARD_TEMPLATE_RENDER_TIMEOUT is wall-clock time: a GC pause or
      // a busy core during a 0.6 ms render must not fail a chat delivery, so it does not apply here.
      const limits = options.templateLimits ?? DEFAULT_TEMPLATE_LIMITS;
      const body = renderTemplate(CHAT_TEMPLATES[format], scope, {
        maxBytes: Math.max(limits.maxBytes, CHAT_TEMPLATE_MAX_BYTES),
        maxOutputBytes: Math.max(limits.maxOutputBytes, CHAT_OUTPUT_MAX_BYTES),
        renderTimeoutMs: CHAT_RENDER_TIMEOUT_MS,
      });
      return { body, contentType: "application/json" };
    }
    default:
      throw new Error(`payload format ${format} is not supported yet`);
  }
}
