import { z } from "zod";
import type { EventType } from "../event-types.js";
import type { ParseResult, RegistryEvent } from "../registry-event.js";
import { isValidDistributionName, isValidRepositoryName, splitRepositoryName } from "../repository-name.js";
import { eventId, eventTime } from "../storable.js";
import { firstIssue } from "./first-issue.js";

/**
 * CNCF Distribution registry notifications (distribution/notifications/event.go). Unknown fields
 * are kept out of the way rather than rejected: newer registries add some.
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
  }),
  request: z.object({ method: z.string().optional() }).optional(),
  actor: z.object({ name: z.string().optional() }).optional(),
});

const envelope = z.object({ events: z.array(distributionEvent) });

type DistributionEvent = z.infer<typeof distributionEvent>;

const BLOB_MEDIA_TYPES = new Set(["application/octet-stream"]);

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
      // Distribution sends one event for the manifest (digest) and one per tag that pointed at it.
      if (event.target.digest) return ["MANIFEST_DELETE"];
      return tagged ? ["TAG_DELETE"] : [];
    default:
      return [];
  }
}

function toRegistryEvents(event: DistributionEvent): RegistryEvent[] {
  const { namespace } = splitRepositoryName(event.target.repository);
  return productTypes(event).map((type) => ({
    type,
    dedupKey: `distribution:${event.id}:${type}`,
    source: "distribution",
    namespace,
    repository: event.target.repository,
    tag: type.startsWith("TAG_") ? (event.target.tag ?? null) : null,
    digest: event.target.digest ?? null,
    actor: event.actor?.name || null,
    occurredAt: event.timestamp,
    data: { mediaType: event.target.mediaType ?? null, sourceTag: event.target.tag ?? null },
  }));
}

export function parseDistributionEnvelope(body: unknown): ParseResult {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) return firstIssue(parsed.error);

  const events: RegistryEvent[] = [];
  let ignored = 0;
  for (const [index, event] of parsed.data.events.entries()) {
    // A name with no namespace ("alpine") is valid to the registry but has no place in DTR's scopes.
    // Refusing it would stall the registry (it re-sends a refused envelope forever), so it is ignored.
    if (isValidDistributionName(event.target.repository) && !isValidRepositoryName(event.target.repository)) {
      ignored += 1;
      continue;
    }
    if (!isValidRepositoryName(event.target.repository)) {
      return {
        ok: false,
        field: `events[${index}].target.repository`,
        message: `events[${index}].target.repository is not a valid repository name ("namespace/name", lowercase)`,
      };
    }
    const mapped = isManifestEvent(event) ? toRegistryEvents(event) : [];
    if (mapped.length === 0) ignored += 1;
    events.push(...mapped);
  }
  return { ok: true, events, ignored };
}
