import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { carry, parentFrom, type TraceCarrier, tracer, tracingEnabled } from "./tracing.js";

// The semantic conventions' attribute names. Spelt out rather than imported from
// @opentelemetry/semantic-conventions, whose entry point costs a process 4.6 MB for a dozen
// strings; the messaging ones are still "development" in the conventions, which advise this anyway.
const ATTR_CLIENT_ADDRESS = "client.address";
const ATTR_ERROR_TYPE = "error.type";
const ATTR_HTTP_REQUEST_METHOD = "http.request.method";
const ATTR_HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
const ATTR_HTTP_ROUTE = "http.route";
const ATTR_SERVER_ADDRESS = "server.address";
const ATTR_SERVER_PORT = "server.port";
const ATTR_URL_PATH = "url.path";
const ATTR_URL_SCHEME = "url.scheme";
const ATTR_USER_AGENT_ORIGINAL = "user_agent.original";
const MESSAGING_SYSTEM = "messaging.system";
const MESSAGING_OPERATION_TYPE = "messaging.operation.type";
const MESSAGING_OPERATION_NAME = "messaging.operation.name";
const MESSAGING_DESTINATION_NAME = "messaging.destination.name";
const MESSAGING_MESSAGE_ID = "messaging.message.id";
const MESSAGING_BATCH_MESSAGE_COUNT = "messaging.batch.message_count";
/** Not one of the conventions' well-known systems: BullMQ's own name, as they allow. */
const BULLMQ = "bullmq";

/**
 * Every function here returns undefined, and does nothing else, while tracing is off: callers on
 * the delivery path pay one boolean test per span they would make.
 */
export type MaybeSpan = Span | undefined;

/** The context whose parent is `span`: to start a child or to carry it in a job. */
export function contextOf(span: MaybeSpan): Context {
  return span ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT;
}

/** The carrier for a job made inside `span` (undefined while tracing is off). */
export function carrierOf(span: MaybeSpan): TraceCarrier | undefined {
  return span ? carry(contextOf(span)) : undefined;
}

/** A span as the work it starts needs it, made once for all of that work: the parent of child
 * spans, and the carrier of the jobs it queues. */
export interface SpanLink {
  context: Context;
  carrier: TraceCarrier | undefined;
}

export function linkOf(span: MaybeSpan): SpanLink | undefined {
  return span ? { context: contextOf(span), carrier: carrierOf(span) } : undefined;
}

export interface IncomingRequest {
  method: string;
  /** The route's template (`/api/v1/ingest/distribution`), never a path holding a token. */
  route: string;
  scheme: "http" | "https";
  headers: Readonly<Record<string, string | string[] | undefined>>;
  clientAddress?: string;
}

/** An HTTP server span (`POST /api/v1/ingest/distribution`), continuing the caller's trace if it sent one. */
export function startServerSpan(request: IncomingRequest): MaybeSpan {
  if (!tracingEnabled()) return undefined;
  const userAgent = request.headers["user-agent"];
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: request.method,
    [ATTR_HTTP_ROUTE]: request.route,
    [ATTR_URL_PATH]: request.route,
    [ATTR_URL_SCHEME]: request.scheme,
  };
  if (typeof userAgent === "string") attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  if (request.clientAddress) attributes[ATTR_CLIENT_ADDRESS] = request.clientAddress;
  return tracer().startSpan(
    `${request.method} ${request.route}`,
    { kind: SpanKind.SERVER, attributes },
    parentFrom(request.headers),
  );
}

/** Ends a server span with its answer: a 5xx is the server's error, a 4xx the client's (not an error here). */
export function endServerSpan(span: MaybeSpan, statusCode: number): void {
  if (!span) return;
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  if (statusCode >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** A producer span: `count` messages sent to `queue` in one call. */
export function startSendSpan(queue: string, count: number, parent: MaybeSpan): MaybeSpan {
  if (!tracingEnabled()) return undefined;
  return tracer().startSpan(
    `send ${queue}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MESSAGING_SYSTEM]: BULLMQ,
        [MESSAGING_OPERATION_TYPE]: "send",
        [MESSAGING_OPERATION_NAME]: "send",
        [MESSAGING_DESTINATION_NAME]: queue,
        [MESSAGING_BATCH_MESSAGE_COUNT]: count,
      },
    },
    contextOf(parent),
  );
}

/** A consumer span for one job, the child of the span its data carries (a root span without one). */
export function startProcessSpan(
  queue: string,
  jobId: string | undefined,
  carrier: TraceCarrier | undefined,
  attributes: Attributes = {},
): MaybeSpan {
  if (!tracingEnabled()) return undefined;
  const all: Attributes = {
    ...attributes,
    [MESSAGING_SYSTEM]: BULLMQ,
    [MESSAGING_OPERATION_TYPE]: "process",
    [MESSAGING_OPERATION_NAME]: "process",
    [MESSAGING_DESTINATION_NAME]: queue,
  };
  if (jobId) all[MESSAGING_MESSAGE_ID] = jobId;
  return tracer().startSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, attributes: all }, parentFrom(carrier));
}

/**
 * An HTTP client span for a POST to a receiver. Only the scheme, host and port of the URL are
 * recorded: a receiver's path or query often holds its token (chat services' webhook URLs do).
 */
export function startPostSpan(url: string, parent: Context, attributes: Attributes = {}): MaybeSpan {
  if (!tracingEnabled()) return undefined;
  const all: Attributes = { ...attributes, [ATTR_HTTP_REQUEST_METHOD]: "POST" };
  try {
    const { protocol, hostname, port } = new URL(url);
    const scheme = protocol.slice(0, -1);
    all[ATTR_URL_SCHEME] = scheme;
    all[ATTR_SERVER_ADDRESS] = hostname;
    all[ATTR_SERVER_PORT] = port ? Number(port) : scheme === "https" ? 443 : 80;
  } catch {
    // A URL the transport will refuse: the span says so through its error.
  }
  return tracer().startSpan("POST", { kind: SpanKind.CLIENT, attributes: all }, parent);
}

/** Ends a client span: `statusCode` when the receiver answered, else `errorKind` (timeout, refused...). */
export function endPostSpan(span: MaybeSpan, answer: { statusCode: number | null; errorKind?: string | null }): void {
  if (!span) return;
  if (answer.statusCode !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, answer.statusCode);
  const errorType =
    answer.statusCode === null
      ? (answer.errorKind ?? "_OTHER")
      : answer.statusCode >= 400
        ? String(answer.statusCode)
        : null;
  if (errorType) {
    span.setAttribute(ATTR_ERROR_TYPE, errorType);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Ends a span of Hookyard's own work (a job), marking it failed with the error's kind. */
export function endSpan(span: MaybeSpan, error?: unknown): void {
  if (!span) return;
  if (error !== undefined) {
    span.setAttribute(ATTR_ERROR_TYPE, (error as Error | null)?.name ?? "Error");
    // The message stays in the logs, under the job's id: it may quote what a span must not hold.
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
