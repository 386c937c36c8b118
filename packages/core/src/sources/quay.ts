import { z } from "zod";
import type { EventType } from "../event-types.js";
import { SCAN_STATUS } from "../payloads/contents.js";
import { MAX_ITEMS_PER_REQUEST, type ParseResult, type RegistryEvent } from "../registry-event.js";
import { isValidRepositoryName, splitRepositoryName } from "../repository-name.js";
import { contentHash } from "./content-hash.js";
import { type Failure, failure as fail, firstIssue } from "./first-issue.js";

/*
 * Quay webhook notifications (quay/quay notifications/notificationmethod.py WebhookMethod): Quay
 * POSTs the event's data alone, as built by notifications/__init__.py build_repository_event_data
 * plus what the event adds. The body names neither the event, nor a time, nor an id, nor who caused
 * it, and a push carries no digest. Which event it is comes from the optional `?event=` the
 * notification's URL carries, or else from the body's shape. Objects are not strict: Quay adds
 * fields from release to release.
 */

/** The events quay/quay notifications/notificationevent.py defines (at ffba0c70, August 2026). */
export const QUAY_EVENTS = [
  "repo_push",
  "vulnerability_found",
  "repo_mirror_sync_started",
  "repo_mirror_sync_success",
  "repo_mirror_sync_failed",
  "build_queued",
  "build_start",
  "build_success",
  "build_failure",
  "build_cancelled",
  "repo_image_expiry",
  "quota_warning",
  "quota_error",
] as const;

export type QuayEventName = (typeof QUAY_EVENTS)[number];

/**
 * Quay sends no id and no time, and a second push of a tag sends the very body of the first. The
 * dedup key is therefore the body's hash plus the minute (UTC) it arrived in: a body re-sent within
 * that minute is a duplicate; the same body later is a new event, never swallowed for good.
 */
export const QUAY_DEDUP_WINDOW_MS = 60_000;

/** Tags and digests as Distribution's reference grammar has them, so an imageName is always pullable. */
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

const tag = z.string().regex(TAG, { message: "not a valid tag" });
const tagOrDigest = z
  .string()
  .refine((value) => TAG.test(value) || DIGEST.test(value), { message: "not a valid tag or digest" });

/** build_repository_event_data: what every repository event carries. */
const repositoryData = z.object({
  repository: z.string(),
  namespace: z.string().optional(),
  name: z.string().optional(),
  docker_url: z.string().optional(),
  homepage: z.string().optional(),
});

/** endpoints/v2/manifest.py (one tag per manifest PUT) and endpoints/v1/index.py (every tag pushed). */
const pushData = repositoryData.extend({
  updated_tags: z.array(tag).max(MAX_ITEMS_PER_REQUEST),
  // Only Quay's sample data (its "Test Notification" button) has it.
  pruned_image_count: z.unknown().optional(),
});

const vulnerability = z.object({
  id: z.string().optional(),
  priority: z.string(),
  link: z.string().nullish(),
  has_fix: z.boolean().optional(),
});

/**
 * data/secscan_model (a new index report, vulnerable_index_report_created) and
 * workers/securityscanningnotificationworker.py (Clair found a new vulnerability): one
 * vulnerability per notification, `tags` the manifest's tags or its digest when it has none.
 */
const vulnerabilityData = repositoryData.extend({
  tags: z.array(tagOrDigest).max(MAX_ITEMS_PER_REQUEST),
  vulnerability: vulnerability.optional(),
  // Older Quay releases' summaries read a list; taken when present.
  vulnerabilities: z.array(vulnerability).max(MAX_ITEMS_PER_REQUEST).nullish(),
});

/** workers/repomirrorworker emit_log: `'<external reference>' with tag pattern '<patterns>'`. */
const mirrorData = repositoryData.extend({ message: z.string() });

type RepositoryData = z.infer<typeof repositoryData>;

/** What every event made from one notification shares. */
interface Origin {
  quayEvent: QuayEventName;
  namespace: string;
  repository: string;
  registryHost: string | null;
  homepage: string | null;
  occurredAt: string;
  /** Prefix of the dedup keys of the events made from it. */
  key: string;
}

function isQuayEvent(value: string): value is QuayEventName {
  return (QUAY_EVENTS as readonly string[]).includes(value);
}

/** The event the notification is: as its URL says, else as its body's shape says; null when unknown. */
function quayEvent(body: Record<string, unknown>, hint: string | null): Failure | QuayEventName | null {
  if (hint !== null && hint !== "") {
    return isQuayEvent(hint) ? hint : fail(["query", "event"], `not a Quay event (one of ${QUAY_EVENTS.join(", ")})`);
  }
  if ("updated_tags" in body) return "repo_push";
  if ("vulnerability" in body || "vulnerabilities" in body) return "vulnerability_found";
  // The mirror events' bodies are alike (only a message), builds map to nothing: both ignored.
  return null;
}

/** "quay.example.com/acme/web" -> "quay.example.com": Quay's SERVER_HOSTNAME, for imageName. */
function registryHost(dockerUrl: string | undefined, fullName: string): string | null {
  const suffix = `/${fullName}`;
  if (!dockerUrl?.endsWith(suffix) || dockerUrl.length === suffix.length) return null;
  return dockerUrl.slice(0, -suffix.length);
}

function windowOf(receivedAt: string): string {
  const ms = Date.parse(receivedAt);
  return new Date(ms - (ms % QUAY_DEDUP_WINDOW_MS)).toISOString();
}

function origin(
  data: RepositoryData,
  quay: QuayEventName,
  body: Record<string, unknown>,
  receivedAt: string,
): Failure | Origin {
  const fullName = data.repository;
  if (!isValidRepositoryName(fullName)) {
    return fail(["repository"], 'not a valid repository name ("namespace/name", lowercase)');
  }
  const { namespace, name } = splitRepositoryName(fullName);
  if (data.namespace !== undefined && data.namespace !== namespace) {
    return fail(["namespace"], "is not the namespace of repository");
  }
  if (data.name !== undefined && data.name !== name) return fail(["name"], "is not the name of repository");
  return {
    quayEvent: quay,
    namespace,
    repository: fullName,
    registryHost: registryHost(data.docker_url, fullName),
    homepage: data.homepage ?? null,
    occurredAt: receivedAt,
    key: `quay:sha256:${contentHash(body)}:${windowOf(receivedAt)}`,
  };
}

function event(
  from: Origin,
  index: number,
  type: EventType,
  ref: { tag: string | null; digest: string | null },
  data: Record<string, unknown>,
): RegistryEvent {
  return {
    type,
    dedupKey: `${from.key}:${index}:${type}`,
    source: "quay",
    namespace: from.namespace,
    repository: from.repository,
    tag: ref.tag,
    digest: ref.digest,
    // Quay keeps who caused the event (performer_data) to itself.
    actor: null,
    occurredAt: from.occurredAt,
    data: { quayEvent: from.quayEvent, registryHost: from.registryHost, homepage: from.homepage, ...data },
  };
}

/** Quay's push notification names the tags and no digest, so a push is TAG_PUSH only (see docs). */
function pushEvents(data: z.infer<typeof pushData>, from: Origin): RegistryEvent[] {
  if (data.pruned_image_count !== undefined) return [];
  return data.updated_tags.map((name, index) => event(from, index, "TAG_PUSH", { tag: name, digest: null }, {}));
}

/*
 * Quay's priorities against DTR's CVSS bands, as for Harbor: critical is CVSS >= 7 (Critical, High
 * and Red Hat's Important), major 4 to 7 (Medium, Moderate), minor below 4 (Low, Negligible,
 * Debian's unimportant). Quay passes the scanner's own word through on new index reports, so case
 * is ignored; Unknown and anything else are not counted.
 */
const SEVERITY_BAND: Record<string, "critical" | "major" | "minor"> = {
  critical: "critical",
  high: "critical",
  important: "critical",
  medium: "major",
  moderate: "major",
  low: "minor",
  negligible: "minor",
  unimportant: "minor",
};

/**
 * One SCAN_COMPLETED per tag (or per digest, for an untagged manifest). Quay notifies once per
 * vulnerability at or above the notification's level, so the summary counts what this one
 * notification reports, not the image's totals.
 */
function vulnerabilityEvents(data: z.infer<typeof vulnerabilityData>, from: Origin): Failure | RegistryEvent[] {
  const found = data.vulnerabilities ?? (data.vulnerability ? [data.vulnerability] : []);
  if (found.length === 0) return fail(["vulnerability"], "required");
  // Quay's sample data (its "Test Notification" button) reports this made-up CVE.
  if (found.some((v) => v.id === "CVE-FAKE-CVE")) return [];
  const counts = { critical: 0, major: 0, minor: 0 };
  for (const v of found) {
    const band = SEVERITY_BAND[v.priority.toLowerCase()];
    if (band) counts[band] += 1;
  }
  const scanSummary = { ...counts, last_scan_status: SCAN_STATUS.completed, check_completed_at: from.occurredAt };
  const vulnerabilities = found.map((v) => ({ id: v.id ?? null, priority: v.priority, hasFix: v.has_fix ?? null }));
  return data.tags.map((ref, index) => {
    const isDigest = !TAG.test(ref);
    const named = { tag: isDigest ? null : ref, digest: isDigest ? ref : null };
    return event(from, index, "SCAN_COMPLETED", named, { scanSummary, vulnerabilities });
  });
}

const MIRROR_MESSAGE = /^'([^']+)' with tag pattern '([^']*)'$/;

/**
 * A finished sync of a Quay mirror (Quay polls the remote registry): POLL_MIRRORING. The
 * notification names neither the tags copied nor their digests; the remote side is read from the
 * message, and stays empty when the message is not the one a finished sync writes.
 */
function mirrorEvents(data: z.infer<typeof mirrorData>, from: Origin): RegistryEvent[] {
  if (data.message === "TEST NOTIFICATION") return [];
  const match = MIRROR_MESSAGE.exec(data.message);
  const reference = match?.[1] ?? "";
  const slash = reference.indexOf("/");
  const remote =
    slash > 0
      ? { host: reference.slice(0, slash), repository: reference.slice(slash + 1) }
      : { host: "", repository: reference };
  const none = { tag: null, digest: null };
  return [event(from, 0, "POLL_MIRRORING", none, { remote, tagPattern: match?.[2] ?? null })];
}

function withOrigin<T extends z.ZodType<RepositoryData>>(
  schema: T,
  quay: QuayEventName,
  body: Record<string, unknown>,
  receivedAt: string,
): Failure | { data: z.infer<T>; from: Origin } {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return firstIssue(parsed.error);
  const from = origin(parsed.data, quay, body, receivedAt);
  return "ok" in from ? from : { data: parsed.data, from };
}

function mapped(quay: QuayEventName, body: Record<string, unknown>, receivedAt: string): Failure | RegistryEvent[] {
  switch (quay) {
    case "repo_push": {
      const read = withOrigin(pushData, quay, body, receivedAt);
      return "ok" in read ? read : pushEvents(read.data, read.from);
    }
    case "vulnerability_found": {
      const read = withOrigin(vulnerabilityData, quay, body, receivedAt);
      return "ok" in read ? read : vulnerabilityEvents(read.data, read.from);
    }
    case "repo_mirror_sync_success": {
      const read = withOrigin(mirrorData, quay, body, receivedAt);
      return "ok" in read ? read : mirrorEvents(read.data, read.from);
    }
    default:
      // A sync that started or failed mirrored nothing; builds push through repo_push; expiry and
      // quota warnings have no type.
      return [];
  }
}

/**
 * A Quay webhook notification's body. `receivedAt` (RFC 3339) dates the events, Quay sending no
 * time; `event` is the `?event=` of the request (one of QUAY_EVENTS), null when absent.
 */
export function parseQuayNotification(body: unknown, receivedAt: string, event: string | null = null): ParseResult {
  const object = z.looseObject({}).safeParse(body);
  if (!object.success) return firstIssue(object.error);
  const quay = quayEvent(object.data, event);
  if (quay !== null && typeof quay === "object") return quay;
  if (quay === null) return { ok: true, events: [], ignored: 1 };
  const events = mapped(quay, object.data, receivedAt);
  if ("ok" in events) return events;
  return { ok: true, events, ignored: events.length === 0 ? 1 : 0 };
}
