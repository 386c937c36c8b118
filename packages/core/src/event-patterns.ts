import { EVENT_TYPES, type EventType, isOperationalEventType } from "./event-types.js";
import { type Scope, typeFitsScope } from "./scope.js";

export type PatternResult = { ok: true; types: EventType[] } | { ok: false; message: string };

/** Longest pattern taken: the longest type name is 24 characters, so this leaves room for any glob
 * a person writes, and keeps the messages that quote a pattern short. */
export const MAX_EVENT_PATTERN_LENGTH = 100;
/** As many patterns as a webhook may list; there are only 19 types. */
export const MAX_EVENT_PATTERNS = 50;

/**
 * Whether `text` matches `pattern`, where only "*" is special (any run of characters, empty
 * included). Iterative, remembering only the last "*": a failed match backs up to it and never
 * further, so the work is at most length x length, never the exponential backtracking a RegExp
 * of ".*.*.*" does on a miss.
 */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === "*") {
      while (p < pattern.length && pattern[p] === "*") p++;
      star = p;
      resume = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star >= 0) {
      resume++;
      t = resume;
      p = star;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** A pattern as quoted in a message. */
const quoted = (pattern: string) => JSON.stringify(pattern);

/**
 * Expands "*" and globs such as "TAG_*" into the types the scope allows. A named type that does not
 * fit the scope is an error (the caller asked for something it cannot get); a glob only picks the
 * types that fit.
 */
export function expandEventPatterns(patterns: readonly string[], scope: Scope): PatternResult {
  if (patterns.length > MAX_EVENT_PATTERNS) {
    return { ok: false, message: `events: at most ${MAX_EVENT_PATTERNS} types or patterns may be listed` };
  }
  const chosen = new Set<EventType>();
  for (const pattern of patterns) {
    if (pattern.length > MAX_EVENT_PATTERN_LENGTH) {
      return { ok: false, message: `events: a pattern may be at most ${MAX_EVENT_PATTERN_LENGTH} characters long` };
    }
    if (pattern.includes("*")) {
      // Hookyard's own events are named, never globbed: "*" keeps meaning the registry's events.
      const matches = EVENT_TYPES.filter(
        (t) => !isOperationalEventType(t) && globMatches(pattern, t) && typeFitsScope(t, scope),
      );
      if (matches.length === 0) {
        return {
          ok: false,
          message: `events: ${quoted(pattern)} matches no event type allowed for a ${scope.kind} webhook`,
        };
      }
      for (const t of matches) chosen.add(t);
      continue;
    }
    const type = EVENT_TYPES.find((t) => t === pattern);
    if (!type) return { ok: false, message: `events: ${quoted(pattern)} is not an event type` };
    if (!typeFitsScope(type, scope)) {
      return { ok: false, message: `events: ${type} cannot be subscribed to on a ${scope.kind} webhook` };
    }
    chosen.add(type);
  }
  if (chosen.size === 0) return { ok: false, message: "events: at least one event type is required" };
  return { ok: true, types: EVENT_TYPES.filter((t) => chosen.has(t)) };
}
