import {
  type AcceptedEvent,
  type AttemptAnswer,
  buildDeliveryHeaders,
  describeTemplateError,
  InvalidSecretError,
  type PayloadFormat,
  parseRetryAfter,
  previousSecretInGrace,
  redactHeaders,
  renderPayload,
  storableHeaders,
  storableRequestBody,
  storableText,
  TemplateError,
  type TemplateLimits,
} from "@hookyard/core";
import type { Transport } from "./http-transport.js";
import { USER_AGENT } from "./user-agent.js";

/** What of a webhook shapes the request sent to it. */
export interface DeliveryTarget {
  /** Named to templates as webhook.id and webhook.name; absent for DTR's test of a bare endpoint. */
  id?: string;
  name?: string;
  url: string;
  format: PayloadFormat;
  /** A `template` webhook's template and content type (null for other formats). */
  template?: string | null;
  templateContentType?: string | null;
  secret: string | null;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  headers: unknown;
  tlsCert: string | null;
  skipTlsVerification: boolean;
}

/** One request as it went out and what came back, storable as it is. */
export interface SentRequest extends AttemptAnswer {
  startedAt: Date;
  /** 410 Gone: the receiver says this endpoint is gone for good. */
  gone: boolean;
  /** The receiver's Retry-After, in ms from when it answered. */
  retryAfterMs: number | null;
  /** Nothing went out (the webhook cannot be sent to as it is); trying again will not help. */
  notSent: boolean;
}

/**
 * Renders an event in the webhook's format, signs it and POSTs it once: every delivery, by the
 * worker or a test sent from the API, goes out through here, so both send the same thing.
 * `callbackUrl` is the attempt's callback_url (dockerhub), stored by the caller before this is called.
 */
export async function sendDelivery(
  transport: Transport,
  options: {
    deliveryId: string;
    webhook: DeliveryTarget;
    event: AcceptedEvent;
    timeoutMs: number;
    callbackUrl?: string;
    /** HOOKYARD_TEMPLATE_*: the bounds of a template's render. */
    templateLimits?: TemplateLimits;
  },
): Promise<SentRequest> {
  const { deliveryId, webhook, event } = options;
  let payload: ReturnType<typeof renderPayload>;
  try {
    payload = renderPayload(webhook.format, event, event.id, {
      callbackUrl: options.callbackUrl,
      template: webhook.template ?? null,
      templateContentType: webhook.templateContentType ?? null,
      templateLimits: options.templateLimits,
      subject: {
        deliveryId,
        webhook: webhook.id === undefined ? null : { id: webhook.id, name: webhook.name ?? "" },
      },
    });
  } catch (error) {
    // A template that fails (too slow, too big, an error) fails this attempt, as a network error
    // would, with the reason in its error: nothing went out. Anything else is a bug and is thrown.
    if (!(error instanceof TemplateError)) throw error;
    return templateFailure(error);
  }
  const startedAt = new Date();
  let headers: Record<string, string>;
  try {
    headers = buildDeliveryHeaders({
      deliveryId,
      eventType: event.type,
      contentType: payload.contentType,
      body: payload.body,
      timestampSeconds: Math.floor(startedAt.getTime() / 1000),
      secret: webhook.secret,
      previousSecret: previousSecretInGrace(webhook, startedAt),
      userAgent: USER_AGENT,
      custom: webhook.headers as Record<string, string>,
    });
  } catch (error) {
    // A secret stored before secrets were checked, and too weak to sign with: the delivery fails
    // with the reason rather than go out unsigned or with a forgeable signature.
    if (!(error instanceof InvalidSecretError)) throw error;
    return {
      startedAt,
      durationMs: 0,
      statusCode: null,
      error: `not sent: ${error.message}; give the webhook a new secret`,
      requestHeaders: {},
      requestBody: null,
      responseHeaders: null,
      responseBody: null,
      succeeded: false,
      gone: false,
      retryAfterMs: null,
      notSent: true,
    };
  }

  const result = await transport.send({
    url: webhook.url,
    headers,
    body: payload.body,
    timeoutMs: options.timeoutMs,
    tls: { caCertificates: webhook.tlsCert, skipVerification: webhook.skipTlsVerification },
  });
  const statusCode = result.ok ? result.statusCode : null;
  const succeeded = statusCode !== null && statusCode >= 200 && statusCode < 300;
  return {
    startedAt,
    durationMs: result.durationMs,
    statusCode,
    // What the receiver sent is made storable first: a NUL in its answer must not break booking.
    error: result.ok ? (succeeded ? null : `HTTP ${statusCode}`) : storableText(result.error),
    requestHeaders: redactHeaders(headers),
    requestBody: storableRequestBody(payload.body, options.callbackUrl),
    responseHeaders: result.ok ? storableHeaders(result.headers) : null,
    responseBody: result.ok ? storableText(result.body) : null,
    succeeded,
    gone: statusCode === 410,
    retryAfterMs: result.ok ? parseRetryAfter(result.headers["retry-after"], new Date()) : null,
    notSent: false,
  };
}

/** The kind (first word) of an attempt's error when its template failed to render. */
export const TEMPLATE_ERROR_KIND = "template";

/** Whether an attempt failed because its template did not render (nothing went out). */
export function isTemplateFailure(sent: Pick<SentRequest, "error" | "statusCode">): boolean {
  return sent.statusCode === null && (sent.error?.startsWith(`${TEMPLATE_ERROR_KIND}: `) ?? false);
}

function templateFailure(error: TemplateError): SentRequest {
  return {
    startedAt: new Date(),
    durationMs: 0,
    statusCode: null,
    error: storableText(`${TEMPLATE_ERROR_KIND}: ${error.kind}: ${describeTemplateError(error)}`),
    requestHeaders: {},
    responseHeaders: null,
    responseBody: null,
    succeeded: false,
    gone: false,
    retryAfterMs: null,
    notSent: false,
  };
}
