import { z } from "zod";
import type { EventType } from "../event-types.js";
import { MAX_ITEMS_PER_REQUEST, type ParseResult, type RegistryEvent } from "../registry-event.js";
import { isValidDistributionName, isValidRepositoryName, splitRepositoryName } from "../repository-name.js";
import { eventId, eventTime } from "../storable.js";
import { type Failure, failure, firstIssue } from "./first-issue.js";

/**
 * CNCF Distribution registry notifications, and the registries that keep its envelope:
 * - Distribution 2.8 (notifications/event.go, bridge.go);
 * - Distribution v3.0 and v3.1: `target` embeds an OCI descriptor, whose `mediaType`, `digest` and
 *   `size` Go writes even when empty (`""`, `0`: deletes carry them so), plus `references` when
 *   `notifications.events.includereferences` is on; v3.1 event ids are UUIDv7;
 * - GitLab's container registry (a Distribution fork): a `rename` action with `target.rename{type,
 *   from, to}`, and `actor.user_type` and `actor.user` (a JWT from GitLab Rails, never kept).
 * Only the fields read are declared: unknown ones (`references`, `annotations`, `meta`, ...) are
 * dropped rather than rejected, as newer registries add some.
 */
const distributionEvent = z.object({
  id: eventId,
  timestamp: eventTime,
  action: z.string().min(1),
  target: z.object({
    mediaType: z.string().optional(),
    digest: z.string().optional(),
    repository: z.string(),
    url: z.string().optional(),
    tag: z.string().optional(),
    size: z.number().optional(),
    // Read only for a rename (below): another action's stray `rename` is no reason to refuse it.
    rename: z.unknown().optional(),
  }),
  request: z.object({ method: z.string().optional() }).optional(),
  actor: z.object({ name: z.string().optional(), user_type: z.string().optional() }).optional(),
});

/** GitLab's notifications/event.go Rename: `type` is "name" or "namespace"; paths are whole. */
const renameTarget = z.object({ type: z.string().optional(), from: z.string(), to: z.string() });

const envelope = z.object({ events: z.array(distributionEvent).max(MAX_ITEMS_PER_REQUEST) });

type DistributionEvent = z.infer<typeof distributionEvent>;
type Rename = z.infer<typeof renameTarget>;

const BLOB_MEDIA_TYPES = new Set(["application/octet-stream"]);

const NOT_A_REPOSITORY = 'not a valid repository name ("namespace/name", lowercase)';

/** Blob and mount events carry no image: they have no product type. */
function isManifestEvent(event: DistributionEvent): boolean {
  const { mediaType, url } = event.target;
  if (url?.includes("/blobs/")) return false;
  if (mediaType && BLOB_MEDIA_TYPES.has(mediaType)) return false;
  return event.action !== "mount";
}

/** The product types one registry event stands for (a tagged push is both a manifest and a tag push). */
function productTypes(event: DistributionEvent): EventType[] {
  const tagged = Boolean(event.target.tag);
  switch (event.action) {
    case "push":
      return tagged ? ["MANIFEST_PUSH", "TAG_PUSH"] : ["MANIFEST_PUSH"];
    case "pull":
      // A HEAD only asks whether a manifest exists (clients resolve tags this way before a GET),
      // so counting it as a pull would report every pull twice.
      if (event.request?.method?.toUpperCase() === "HEAD") return [];
      return tagged ? ["MANIFEST_PULL", "TAG_PULL"] : ["MANIFEST_PULL"];
    case "delete":
      // Distribution sends one event for the manifest (digest) and one per tag that pointed at it;
      // v3 writes the empty digest of a tag delete as "". An event naming only the repository is
      // bridge.go's RepoDeleted.
      if (event.target.digest) return ["MANIFEST_DELETE"];
      return tagged ? ["TAG_DELETE"] : ["REPO_DELETED"];
    default:
      return [];
  }
}

/** What every event of one registry event shares. */
function common(event: DistributionEvent, type: EventType) {
  return {
    type,
    dedupKey: `distribution:${event.id}:${type}`,
    source: "distribution" as const,
    actor: event.actor?.name || null,
    occurredAt: event.timestamp,
  };
}

/** GitLab's user type (personal_access_token, build, deploy_token, ...), when it reports one. */
function actorType(event: DistributionEvent): { actorType?: string } {
  return event.actor?.user_type ? { actorType: event.actor.user_type } : {};
}

function toRegistryEvents(event: DistributionEvent): RegistryEvent[] {
  const { namespace } = splitRepositoryName(event.target.repository);
  const userType = event.actor?.user_type;
  // Written out rather than spread from common() and actorType(): ingest builds these for every
  // push, and spreading objects of varying shapes cost this parser half of its time.
  return productTypes(event).map((type): RegistryEvent => {
    const data: Record<string, unknown> =
      type === "REPO_DELETED" ? {} : { mediaType: event.target.mediaType || null, sourceTag: event.target.tag ?? null };
    if (userType) data.actorType = userType;
    return {
      type,
      dedupKey: `distribution:${event.id}:${type}`,
      source: "distribution",
      actor: event.actor?.name || null,
      occurredAt: event.timestamp,
      namespace,
      repository: event.target.repository,
      tag: type.startsWith("TAG_") ? (event.target.tag ?? null) : null,
      digest: type === "REPO_DELETED" ? null : event.target.digest || null,
      data,
    };
  });
}

/**
 * A GitLab rename (registry/handlers/repositories.go RenameRepository) as REPO_UPDATED of the
 * repository under its new path. `data` is what GitLab's repository API would answer for it
 * (`name`, `path`); `rename` keeps both paths for the `contents.rename` DTR has no field for.
 */
function renamedRepository(event: DistributionEvent, rename: Rename): RegistryEvent {
  const { namespace } = splitRepositoryName(rename.to);
  return {
    ...common(event, "REPO_UPDATED"),
    namespace,
    repository: rename.to,
    tag: null,
    digest: null,
    data: {
      rename: { type: rename.type ?? "", from: rename.from, to: rename.to },
      data: { name: rename.to.slice(rename.to.lastIndexOf("/") + 1), path: rename.to },
      ...actorType(event),
    },
  };
}

type Outcome = Failure | { events: RegistryEvent[] };

/** A name Hookyard cannot place: ignored when the registry's grammar allows it (no namespace), else refused. */
function checkName(name: string, path: Array<string | number>): Outcome | null {
  if (isValidRepositoryName(name)) return null;
  if (isValidDistributionName(name)) return { events: [] };
  return failure(path, NOT_A_REPOSITORY);
}

function readRename(event: DistributionEvent, index: number): Outcome {
  const path = ["events", index, "target", "rename"];
  if (event.target.rename === undefined) return failure(path, "required for a rename");
  const parsed = renameTarget.safeParse(event.target.rename);
  if (!parsed.success) return firstIssue(parsed.error, path);
  for (const side of ["from", "to"] as const) {
    const problem = checkName(parsed.data[side], [...path, side]);
    if (problem) return problem;
  }
  return { events: [renamedRepository(event, parsed.data)] };
}

function readEvent(event: DistributionEvent, index: number): Outcome {
  // A name with no namespace ("alpine") is valid to the registry but has no place in DTR's scopes.
  // Refusing it would stall the registry (it re-sends a refused envelope), so it is ignored.
  const problem = checkName(event.target.repository, ["events", index, "target", "repository"]);
  if (problem) return problem;
  if (event.action === "rename") return readRename(event, index);
  return { events: isManifestEvent(event) ? toRegistryEvents(event) : [] };
}

export function parseDistributionEnvelope(body: unknown): ParseResult {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return firstIssue(parsed.error);

  const events: RegistryEvent[] = [];
  let ignored = 0;
  for (const [index, event] of parsed.data.events.entries()) {
    const outcome = readEvent(event, index);
    if ("ok" in outcome) return outcome;
    if (outcome.events.length === 0) ignored += 1;
    events.push(...outcome.events);
  }
  return { ok: true, events, ignored };
}
