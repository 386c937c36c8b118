import { Liquid, type Template } from "liquidjs";
import type { RegistryEvent } from "../registry-event.js";
import { renderDtr } from "./dtr.js";
import { registerChatFilters } from "./template-filters.js";

/*
 * The `template` format and the chat formats render a Liquid template (liquidjs, decision 0020)
 * against the event's documented fields. The engine runs no code, reads no files (include, render
 * and layout are removed, and its template lookup is an empty in-memory map), reads only an
 * object's own properties, refuses an unknown filter at parse time, and is bounded in template
 * size, render time and memory: a template is the webhook owner's input, rendered in the worker.
 */

/** The bounds a template renders within (HOOKYARD_TEMPLATE_*). */
export interface TemplateLimits {
  /** Largest template accepted, in UTF-8 bytes (HOOKYARD_TEMPLATE_MAX_BYTES). */
  maxBytes: number;
  /** Longest one render may take (HOOKYARD_TEMPLATE_RENDER_TIMEOUT, liquidjs renderLimit). */
  renderTimeoutMs: number;
  /** Largest body a render may produce, in UTF-8 bytes (HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES). */
  maxOutputBytes: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  maxBytes: 16 * 1024,
  renderTimeoutMs: 100,
  maxOutputBytes: 256 * 1024,
};

/** The most HOOKYARD_TEMPLATE_MAX_BYTES may be: a template travels in a webhook's JSON (64 KiB a request). */
export const MAX_TEMPLATE_BYTES = 32 * 1024;
/** The most HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES may be: no larger than the largest body Hookyard takes in (1 MiB). */
export const MAX_TEMPLATE_OUTPUT_BYTES = 1024 * 1024;

/** What went wrong with a template: `kind` is the attempt error's detail, `message` says it in words. */
export class TemplateError extends Error {
  override name = "TemplateError";
  constructor(
    readonly kind: "syntax" | "size" | "render" | "timeout" | "output",
    message: string,
    readonly line: number | null = null,
    readonly column: number | null = null,
  ) {
    super(message);
  }
}

/** What a template sees, beside the event: the delivery and the webhook it is rendered for. */
export interface TemplateSubject {
  deliveryId?: string | null;
  webhook?: { id: string; name: string } | null;
}

/**
 * The variables of a template (docs/event-payloads.md, "Template variables"): plain data only, so
 * nothing but these values is reachable from a template.
 */
export function templateScope(event: RegistryEvent, eventId: string, subject: TemplateSubject = {}) {
  return {
    event: {
      id: eventId,
      type: event.type,
      repository: event.repository,
      namespace: event.namespace,
      tag: event.tag,
      digest: event.digest,
      actor: event.actor,
      time: event.occurredAt,
      contents: renderDtr(event).contents,
    },
    delivery: { id: subject.deliveryId ?? null },
    webhook: { id: subject.webhook?.id ?? null, name: subject.webhook?.name ?? null },
  };
}

const engines = new Map<string, Liquid>();

function engineFor(limits: TemplateLimits): Liquid {
  // The render time is given per render: the engine depends only on the sizes.
  const key = `${limits.maxBytes}:${limits.maxOutputBytes}`;
  let engine = engines.get(key);
  if (!engine) {
    engine = new Liquid({
      ownPropertyOnly: true,
      strictFilters: true,
      // An empty in-memory map stands in for the file system: nothing is ever looked up on disk.
      templates: {},
      parseLimit: limits.maxBytes,
      // Strings, arrays and ranges a render builds, in characters/items: a few times the output bound.
      memoryLimit: Math.max(limits.maxOutputBytes * 8, 1024 * 1024),
      cache: false,
    });
    for (const tag of ["include", "render", "layout", "block"]) delete engine.tags[tag];
    registerChatFilters(engine);
    warmUp(engine);
    engines.set(key, engine);
  }
  return engine;
}

/**
 * A process's first render costs tens of milliseconds more than the next ones (liquidjs's lazy set-up,
 * the JIT): enough to pass HOOKYARD_TEMPLATE_RENDER_TIMEOUT on a busy machine and fail a template
 * that is fine. Each engine renders a template using tags, loops and filters once, unbounded, when made.
 */
const WARM_UP =
  "{% assign n = event.tag | size %}{% capture t %}{{ event.type | event_title }}{% endcapture %}" +
  "{% for i in (1..n) %}{% if event.tag != blank and i > 0 %}{{ event.tag | truncate: 5 | slack_code | markdown_escape }}" +
  '{% elsif event.digest %}{{ event.digest | short_digest | append: "x" | upcase }}{% endif %}{% endfor %}' +
  '{{ t | json }}{{ event | json }}{{ event.time | date: "%Y" }}';

function warmUp(engine: Liquid): void {
  const event = { type: "TAG_PUSH", tag: "1.0.0", digest: "sha256:0", time: "2026-01-01T00:00:00Z" };
  for (let i = 0; i < 3; i++) engine.parseAndRenderSync(WARM_UP, { event });
}

/** liquidjs's error as a TemplateError: its first line (which names line and column) and position. */
function fromLiquid(error: unknown, fallback: TemplateError["kind"]): TemplateError {
  if (error instanceof TemplateError) return error;
  const err = error as { message?: string; token?: { getPosition?: () => [number, number] } };
  const message = String(err.message ?? error).split("\n", 1)[0] ?? "";
  let position: [number, number] | null = null;
  try {
    position = err.token?.getPosition?.() ?? null;
  } catch {
    position = null;
  }
  // liquidjs's Limiter messages: "template render limit exceeded", "memory alloc limit exceeded".
  const kind = message.includes("template render limit exceeded")
    ? "timeout"
    : message.includes("memory alloc limit exceeded")
      ? "output"
      : fallback;
  const hint = /^tag "(include|render|layout|block)" not found/.test(message)
    ? ": a template cannot include other templates or files"
    : "";
  return new TemplateError(kind, message + hint, position?.[0] ?? null, position?.[1] ?? null);
}

// Parsed templates, by source: a webhook's template is parsed once per process, not per delivery.
const parsed = new Map<string, Template[]>();
const PARSED_KEPT = 500;

/** Parses a template within the limits, or throws a TemplateError naming the line and column. */
export function parseTemplate(source: string, limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS): Template[] {
  const bytes = Buffer.byteLength(source, "utf8");
  if (bytes > limits.maxBytes) {
    throw new TemplateError(
      "size",
      `the template is ${bytes} bytes, over the limit of ${limits.maxBytes} (HOOKYARD_TEMPLATE_MAX_BYTES)`,
    );
  }
  const key = `${limits.maxBytes}:${source}`;
  const known = parsed.get(key);
  if (known) return known;
  let templates: Template[];
  try {
    templates = engineFor(limits).parse(source);
  } catch (error) {
    throw fromLiquid(error, "syntax");
  }
  if (parsed.size >= PARSED_KEPT) parsed.delete(parsed.keys().next().value as string);
  parsed.set(key, templates);
  return templates;
}

/** Renders a template against an event, or throws a TemplateError (timeout, output too big, error). */
export function renderTemplate(
  source: string,
  scope: ReturnType<typeof templateScope>,
  limits: TemplateLimits = DEFAULT_TEMPLATE_LIMITS,
): string {
  const templates = parseTemplate(source, limits);
  let output: string;
  try {
    output = engineFor(limits).renderSync(templates, scope, { renderLimit: limits.renderTimeoutMs }) as string;
  } catch (error) {
    const problem = fromLiquid(error, "render");
    // Said in terms of the settings, not of liquidjs's limiters.
    if (problem.kind === "timeout") {
      throw new TemplateError(
        "timeout",
        `rendering took longer than ${limits.renderTimeoutMs} ms (HOOKYARD_TEMPLATE_RENDER_TIMEOUT)`,
        problem.line,
        problem.column,
      );
    }
    if (problem.kind === "output") {
      throw new TemplateError(
        "output",
        `the render built more than the template memory bound (8 x HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES)`,
        problem.line,
        problem.column,
      );
    }
    throw problem;
  }
  const bytes = Buffer.byteLength(output, "utf8");
  if (bytes > limits.maxOutputBytes) {
    throw new TemplateError(
      "output",
      `the rendered body is ${bytes} bytes, over the limit of ${limits.maxOutputBytes} (HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES)`,
    );
  }
  return output;
}

/** Where a template problem is, for a 400's message: "line 3, column 7: ..." when known. */
export function describeTemplateError(error: TemplateError): string {
  if (error.line === null) return error.message;
  // liquidjs's message already ends with ", line:3, col:7"; say it once, in words.
  const message = error.message.replace(/, line:\d+, col:\d+/, "");
  return `line ${error.line}, column ${error.column}: ${message}`;
}
