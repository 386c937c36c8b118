import { type CloudEvent, HTTP } from "cloudevents";
import { z } from "zod";
import type { EventType } from "../event-types.js";
import { SCAN_STATUS } from "../payloads/contents.js";
import type { ParseResult, RegistryEvent } from "../registry-event.js";
import { isValidDistributionName, isValidRepositoryName, splitRepositoryName } from "../repository-name.js";
import { eventId, eventTime } from "../storable.js";
import { type Failure, failure as fail, firstIssue } from "./first-issue.js";

/*
 * Zot's events extension (project-zot/zot pkg/extensions/events/): CloudEvents 1.0 with `source`
 * "zotregistry.dev". Its HTTP sink sends binary mode (Ce-* headers, the data as an application/json
 * body); its NATS sink writes structured mode, which reaches Hookyard through a bridge. Both are read
 * with the CloudEvents SDK. The fixtures in __fixtures__/zot/ name the Zot source they follow.
 */

/** Request headers as Node hands them over; only `content-type` and `ce-*` are read. */
export type IngestHeaders = Readonly<Record<string, string | string[] | undefined>>;

type Mode = "binary" | "structured";

type ZotKind = "updated" | "deleted" | "scanned" | "repositoryCreated";

/*
 * zotregistry.image.lint_failed is not here: Zot refused the manifest, so no image exists, and no
 * DTR type says "a push was refused" (SCAN_FAILED is a vulnerability scan that could not finish).
 * It is ignored with every type Zot may add later.
 */
// A Map, so that a type named like an Object.prototype member ("constructor") is just unknown.
const KINDS = new Map<string, ZotKind>([
  ["zotregistry.image.updated", "updated"],
  ["zotregistry.image.deleted", "deleted"],
  ["zotregistry.image.scanned", "scanned"],
  ["zotregistry.repository.created", "repositoryCreated"],
]);

/** The attributes Hookyard needs. `time` is optional in CloudEvents, but Zot always sets it. */
const REQUIRED = ["specversion", "id", "source", "type", "time"] as const;

const attributes = z.object({
  specversion: z.literal("1.0", { error: 'must be "1.0"' }),
  id: eventId,
  source: eventId,
  type: z.string().min(1),
  time: eventTime,
});

// OCI image-spec descriptor digests and distribution-spec tags.
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

const digest = z.string().regex(DIGEST, "not a digest (algorithm:encoded)");
const reference = z.string().refine((value) => TAG.test(value) || DIGEST.test(value), "neither a tag nor a digest");
// Zot sets actor only for an authenticated request.
const actor = z.object({ name: z.string().optional() }).nullish();
const count = z.int().nonnegative();

/* Objects are not strict: Zot adds fields (actor and request came in v2.1.18). */
const imageData = z.object({
  name: z.string(),
  reference,
  digest,
  mediaType: z.string().optional(),
  actor,
});

// Zot's ImageScanSummary (common.go); all fields are always sent, the counts Hookyard reads are required.
const scannedData = imageData.extend({
  summary: z.object({
    count: count.optional(),
    fixableCount: count.optional(),
    unknownCount: count.optional(),
    lowCount: count,
    mediumCount: count,
    highCount: count,
    criticalCount: count,
    maxSeverity: z.string().optional(),
  }),
});

const repositoryData = z.object({ name: z.string(), actor });

/** One Zot event, its CloudEvents envelope read and checked. */
interface ZotEvent {
  kind: ZotKind;
  data: unknown;
  occurredAt: string;
  /** CloudEvents identity: source + id. Zot makes a new UUID per event; a retry of the same request
   * by a bridge re-sends the same id. */
  key: string;
  channel: string | null;
}

function modeOf(contentType: string): Mode {
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return mediaType.startsWith("application/cloudevents") ? "structured" : "binary";
}

/** How the sender wrote the attribute: a header in binary mode, a member of the body in structured mode. */
function fieldOf(mode: Mode, attribute: string): string {
  return mode === "binary" ? `ce-${attribute}` : attribute;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(", ") : value;
}

/** The CloudEvents headers by lowercase name (Node lowercases them; callers in tests may not). */
function ceHeaders(headers: IngestHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const text = headerText(value);
    const lower = name.toLowerCase();
    if (text !== undefined && lower.startsWith("ce-")) out[lower] = text;
  }
  return out;
}

/** Only what the SDK reads, so that it never sees the Authorization header. */
function sdkHeaders(mode: Mode, ce: Record<string, string>, contentType: string): Record<string, string> {
  // The body is parsed JSON already; the SDK looks its parser up by the exact Content-Type and
  // refuses one with other parameters ("application/cloudevents+json;charset=utf-8").
  if (mode === "structured") return { "content-type": "application/cloudevents+json" };
  return { ...ce, "content-type": contentType };
}

/**
 * The required attributes as sent. Checked before the SDK reads them because it fills a missing
 * `id` with a new UUID (which would defeat dedup) and a missing or unreadable `time` with the
 * present, and answers a specversion other than 1.0 with false rather than an error.
 */
function checkAttributes(mode: Mode, body: unknown, ce: Record<string, string>): Failure | z.infer<typeof attributes> {
  const sent: Record<string, unknown> = {};
  for (const name of REQUIRED) {
    const value = mode === "binary" ? ce[`ce-${name}`] : (body as Record<string, unknown>)[name];
    if (value === undefined || value === null || value === "") return fail([fieldOf(mode, name)], "required");
    sent[name] = value;
  }
  const parsed = attributes.safeParse(sent);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return fail([fieldOf(mode, String(issue?.path[0] ?? "specversion"))], issue?.message ?? "invalid");
}

/** The SDK's complaint as a field: its schema errors name an attribute, the rest is about the data. */
function sdkFailure(mode: Mode, error: unknown): Failure {
  const issues = (error as { errors?: unknown }).errors;
  const first = Array.isArray(issues) ? (issues[0] as Record<string, any> | undefined) : undefined;
  if (first && typeof first === "object") {
    const name = String(first.params?.missingProperty ?? String(first.instancePath ?? "").replace(/^\//, ""));
    return fail([fieldOf(mode, name || "specversion")], String(first.message ?? "invalid"));
  }
  const message = error instanceof Error ? error.message : String(error);
  const attribute = /^invalid attribute name: "(.*)"$/.exec(message)?.[1];
  if (attribute !== undefined) return fail([fieldOf(mode, attribute)], "is not a valid attribute name (a-z, 0-9)");
  // In binary mode the body is the data: the SDK could not read it as JSON data.
  if (mode === "binary") return fail(["data"], `must be a JSON object (${message})`);
  return fail([], `cannot be read as a CloudEvent (${message})`);
}

function readEvent(body: unknown, contentType: string, headers: IngestHeaders): Failure | ZotEvent | null {
  const mode = modeOf(contentType);
  if (mode === "structured" && !isObject(body)) return fail([], "must be a CloudEvent as a JSON object");
  const ce = ceHeaders(headers);
  const sent = checkAttributes(mode, body, ce);
  if ("ok" in sent) return sent;

  let event: CloudEvent<unknown>;
  try {
    const read = HTTP.toEvent({ headers: sdkHeaders(mode, ce, contentType), body });
    if (Array.isArray(read)) return fail([], "must be one CloudEvent, not a batch");
    event = read as CloudEvent<unknown>;
    event.validate();
  } catch (error) {
    return sdkFailure(mode, error);
  }

  const kind = KINDS.get(event.type);
  if (!kind) return null;
  const channel = (event as unknown as Record<string, unknown>).channel;
  return {
    kind,
    data: event.data,
    occurredAt: sent.time,
    key: `zot:${sent.source}:${sent.id}`,
    channel: typeof channel === "string" ? channel : null,
  };
}

/** Zot names a single-component repository ("golang") as validly as "acme/web". */
function checkName(name: string): Failure | "ignore" | null {
  if (!isValidDistributionName(name))
    return fail(["data", "name"], 'not a valid repository name ("namespace/name", lowercase)');
  // DTR's scopes need a namespace; refusing the event would not make Zot send another.
  return isValidRepositoryName(name) ? null : "ignore";
}

function imageTypes(kind: Exclude<ZotKind, "repositoryCreated">, tag: string | null): EventType[] {
  switch (kind) {
    case "updated":
      return tag ? ["MANIFEST_PUSH", "TAG_PUSH"] : ["MANIFEST_PUSH"];
    case "deleted":
      // By tag Zot removes only the tag (the manifest stays, reachable by digest); by digest it
      // removes the manifest with every tag on it, and names none of them.
      return tag ? ["TAG_DELETE"] : ["MANIFEST_DELETE"];
    case "scanned":
      return ["SCAN_COMPLETED"];
  }
}

/*
 * Zot's severities (Trivy's, CVSS v3 ratings) against DTR's bands: critical is CVSS >= 7, which is
 * CRITICAL and HIGH; major is MEDIUM; minor is LOW. UNKNOWN has no score and is not counted.
 */
function scanSummary(summary: z.infer<typeof scannedData>["summary"], occurredAt: string) {
  return {
    critical: summary.criticalCount + summary.highCount,
    major: summary.mediumCount,
    minor: summary.lowCount,
    last_scan_status: SCAN_STATUS.completed,
    check_completed_at: occurredAt,
  };
}

function imageEvents(event: ZotEvent & { kind: Exclude<ZotKind, "repositoryCreated"> }): Failure | RegistryEvent[] {
  const parsed = (event.kind === "scanned" ? scannedData : imageData).safeParse(event.data);
  if (!parsed.success) return firstIssue(parsed.error, ["data"]);
  const data: z.infer<typeof imageData> & Partial<z.infer<typeof scannedData>> = parsed.data;
  const name = checkName(data.name);
  if (name === "ignore") return [];
  if (name) return name;

  const tag = DIGEST.test(data.reference) ? null : data.reference;
  return imageTypes(event.kind, tag).map((type) => {
    const details: Record<string, unknown> = {
      mediaType: data.mediaType ?? null,
      reference: data.reference,
      channel: event.channel,
    };
    if (data.summary) details.scanSummary = scanSummary(data.summary, event.occurredAt);
    return {
      type,
      dedupKey: `${event.key}:${type}`,
      source: "zot",
      namespace: splitRepositoryName(data.name).namespace,
      repository: data.name,
      tag: type.startsWith("MANIFEST_") ? null : tag,
      digest: data.digest,
      actor: data.actor?.name || null,
      occurredAt: event.occurredAt,
      data: details,
    };
  });
}

function repositoryEvents(event: ZotEvent): Failure | RegistryEvent[] {
  const parsed = repositoryData.safeParse(event.data);
  if (!parsed.success) return firstIssue(parsed.error, ["data"]);
  const name = checkName(parsed.data.name);
  if (name === "ignore") return [];
  if (name) return name;
  const { namespace, name: inner } = splitRepositoryName(parsed.data.name);
  return [
    {
      type: "REPO_CREATED",
      dedupKey: `${event.key}:REPO_CREATED`,
      source: "zot",
      namespace,
      repository: parsed.data.name,
      tag: null,
      digest: null,
      actor: parsed.data.actor?.name || null,
      occurredAt: event.occurredAt,
      // Zot says nothing of the repository but its name.
      data: { data: { name: inner, namespace }, channel: event.channel },
    },
  ];
}

/**
 * One Zot CloudEvent: binary mode (the Ce-* `headers`, the data as `body`) or structured mode
 * (`contentType` application/cloudevents+json, the event as `body`). A type Hookyard does not map, or
 * a repository without a namespace, is ignored; a broken event is refused naming the field.
 */
export function parseZotEvent(body: unknown, contentType: string, headers: IngestHeaders): ParseResult {
  const event = readEvent(body, contentType, headers);
  if (event === null) return { ok: true, events: [], ignored: 1 };
  if ("ok" in event) return event;
  const events =
    event.kind === "repositoryCreated"
      ? repositoryEvents(event)
      : imageEvents(event as ZotEvent & { kind: Exclude<ZotKind, "repositoryCreated"> });
  if ("ok" in events) return events;
  return { ok: true, events, ignored: events.length === 0 ? 1 : 0 };
}
