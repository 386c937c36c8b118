import { z } from "zod";
import { globMatches } from "./event-patterns.js";
import { type EventType, eventLevel } from "./event-types.js";

/** As many globs as a filter may list: a release policy needs a handful; the cap keeps one
 * webhook's share of a fan-out query small. */
export const MAX_TAG_GLOBS = 20;

/**
 * A tag glob: the characters of a tag (Distribution's grammar: A-Z a-z 0-9 _ . -) and "*" for any
 * run of them. Nothing else, so that a glob turns into a LIKE pattern by escaping "_" alone, and
 * "%", "\" or "!" can never reach Postgres as wildcards or escapes.
 */
const TAG_GLOB = /^[\w.*-]{1,128}$/;
export const TAG_GLOB_RULE = "must be 1 to 128 characters of A-Z, a-z, 0-9, '_', '.', '-' and '*'";

/** A webhook's `filter`: today tags only; an object so that more criteria can join it. */
export const webhookFilter = z.strictObject({
  tags: z
    .array(z.string().regex(TAG_GLOB, TAG_GLOB_RULE))
    .min(1, "list at least one glob, or set filter to null to remove it")
    .max(MAX_TAG_GLOBS, `at most ${MAX_TAG_GLOBS} globs`),
});
export type WebhookFilter = z.infer<typeof webhookFilter>;

/**
 * Whether an event's tag passes a list of tag globs. An empty list is no filter; an event without a
 * tag never passes a filter. Fan-out applies the same rule in SQL (packages/db: WEBHOOK_MATCHES_EVENT);
 * a property test holds the two to one answer.
 */
export function tagPassesFilter(globs: readonly string[], tag: string | null): boolean {
  if (globs.length === 0) return true;
  if (tag === null) return false;
  return globs.some((glob) => globMatches(glob, tag));
}

/** Why a tag filter cannot work with these event types, or null: only repository events carry a
 * tag, so a filter on a webhook of no such type would let nothing through. */
export function tagFilterProblem(types: readonly EventType[], globs: readonly string[]): string | null {
  if (globs.length === 0 || types.some((type) => eventLevel(type) === "repository")) return null;
  return "filter.tags: none of the webhook's event types carries a tag (only repository events do), so it would receive nothing";
}
