import { z } from "zod";
import { type EventType, eventLevel, isEventType, isOperationalEventType } from "../event-types.js";
import { nativeContentsSchema } from "../payloads/contents.js";
import { MAX_ITEMS_PER_REQUEST, type ParseResult, type RegistryEvent } from "../registry-event.js";
import { isValidNamespace, isValidRepositoryName, splitRepositoryName } from "../repository-name.js";
import { eventId, eventTime } from "../storable.js";
import { contentHash } from "./content-hash.js";
import { type Failure, failure as fail, firstIssue } from "./first-issue.js";

/**
 * Native events (contract: POST /api/v1/events), for publishers of what registries do not emit:
 * scanners, promotion and mirroring jobs, repository management. The body is one event or
 * {"events": [...]}.
 */

export const MAX_NATIVE_EVENTS = MAX_ITEMS_PER_REQUEST;

/** Tags and digests as Distribution's reference grammar has them, so an imageName is always pullable. */
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

// null is taken as "not given": JSON publishers often serialise absent values that way.
const nativeEvent = z.strictObject({
  type: z.string(),
  repository: z.string().nullish(),
  namespace: z.string().nullish(),
  tag: z.string().regex(TAG, { message: "not a valid tag" }).nullish(),
  digest: z.string().regex(DIGEST, { message: 'not a valid digest ("algorithm:hex")' }).nullish(),
  id: eventId.nullish(),
  occurredAt: eventTime.nullish(),
  contents: z.unknown().optional(),
});

const envelope = z.strictObject({ events: z.array(z.unknown()).max(MAX_NATIVE_EVENTS) });

type NativeEvent = z.infer<typeof nativeEvent>;
type Path = readonly (string | number)[];

/** Types about one image that may name it by tag or by digest. */
const TAG_OR_DIGEST: ReadonlySet<EventType> = new Set([
  "SCAN_COMPLETED",
  "SCAN_FAILED",
  "PROMOTION",
  "PUSH_MIRRORING",
  "POLL_MIRRORING",
]);

/** Where the event lives, checked against the DTR table's level of its type. */
function placement(
  type: EventType,
  event: NativeEvent,
  path: Path,
): Failure | { namespace: string | null; repository: string | null } {
  const { repository, namespace } = event;
  const level = eventLevel(type);

  if (level === "global") {
    for (const field of ["repository", "namespace", "tag", "digest"] as const) {
      if (event[field] != null) return fail([...path, field], `${type} is global and takes no ${field}`);
    }
    return { namespace: null, repository: null };
  }

  if (level === "namespace") {
    if (namespace == null) return fail([...path, "namespace"], `required for ${type}`);
    if (!isValidNamespace(namespace)) return fail([...path, "namespace"], "not a valid namespace (lowercase)");
    if (repository != null) {
      if (!isValidRepositoryName(repository)) return invalidRepository(path);
      if (splitRepositoryName(repository).namespace !== namespace) {
        return fail([...path, "repository"], `"${repository}" is not in namespace "${namespace}"`);
      }
    }
    for (const field of ["tag", "digest"] as const) {
      if (event[field] != null) return fail([...path, field], `${type} is about a repository and takes no ${field}`);
    }
    return { namespace, repository: repository ?? null };
  }

  if (repository == null) return fail([...path, "repository"], `required for ${type}`);
  if (!isValidRepositoryName(repository)) return invalidRepository(path);
  const own = splitRepositoryName(repository).namespace;
  if (namespace != null && namespace !== own) {
    return fail([...path, "namespace"], `"${namespace}" is not the namespace of "${repository}"`);
  }
  // Each image event must say which image it is about, or its payload names nothing.
  if (type.startsWith("TAG_") && event.tag == null) return fail([...path, "tag"], `required for ${type}`);
  if (type.startsWith("MANIFEST_") && event.digest == null) return fail([...path, "digest"], `required for ${type}`);
  if (TAG_OR_DIGEST.has(type) && event.tag == null && event.digest == null) {
    return fail([...path, "tag"], `${type} needs a tag or a digest`);
  }
  return { namespace: own, repository };
}

function invalidRepository(path: Path): Failure {
  return fail([...path, "repository"], 'not a valid repository name ("namespace/name", lowercase)');
}

function toRegistryEvent(raw: unknown, path: Path, receivedAt: string): Failure | RegistryEvent {
  const parsed = nativeEvent.safeParse(raw);
  if (!parsed.success) return firstIssue(parsed.error, path);
  const event = parsed.data;

  if (!isEventType(event.type)) return fail([...path, "type"], `"${event.type}" is not an event type`);
  if (isOperationalEventType(event.type)) {
    return fail([...path, "type"], `${event.type} is Hookyard's own event type; only Hookyard sends it`);
  }
  const type = event.type;

  const place = placement(type, event, path);
  if ("ok" in place) return place;

  const contents = nativeContentsSchema(type).safeParse(event.contents ?? {});
  if (!contents.success) return firstIssue(contents.error, [...path, "contents"]);
  const author = contents.data.author;

  return {
    type,
    // Without an id, the event as sent is its identity: a publisher's retry repeats it exactly. The
    // defaulted occurredAt is left out, or a retry would never match.
    dedupKey: event.id != null ? `native:${event.id}` : `native:sha256:${contentHash(raw)}`,
    source: "native",
    namespace: place.namespace,
    repository: place.repository,
    tag: event.tag ?? null,
    digest: event.digest ?? null,
    actor: typeof author === "string" && author !== "" ? author : null,
    occurredAt: event.occurredAt ?? receivedAt,
    data: { contents: contents.data },
  };
}

/**
 * `receivedAt` (RFC 3339) dates the events that carry no occurredAt: core does not read the clock,
 * the API passes the time the request arrived.
 */
export function parseNativeEvents(body: unknown, receivedAt: string): ParseResult {
  const isEnvelope = typeof body === "object" && body !== null && !Array.isArray(body) && "events" in body;
  if (!isEnvelope) {
    const single = toRegistryEvent(body, [], receivedAt);
    return "ok" in single ? single : { ok: true, events: [single], ignored: 0 };
  }

  const parsed = envelope.safeParse(body);
  if (!parsed.success) return firstIssue(parsed.error, []);
  const events: RegistryEvent[] = [];
  for (const [index, raw] of parsed.data.events.entries()) {
    const event = toRegistryEvent(raw, ["events", index], receivedAt);
    if ("ok" in event) return event;
    events.push(event);
  }
  return { ok: true, events, ignored: 0 };
}
