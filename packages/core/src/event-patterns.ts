import { EVENT_TYPES, type EventType } from "./event-types.js";
import { type Scope, typeFitsScope } from "./scope.js";

export type PatternResult = { ok: true; types: EventType[] } | { ok: false; message: string };

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/**
 * Expands "*" and globs such as "TAG_*" into the types the scope allows. A named type that does not
 * fit the scope is an error (the caller asked for something it cannot get); a glob only picks the
 * types that fit.
 */
export function expandEventPatterns(patterns: readonly string[], scope: Scope): PatternResult {
  const chosen = new Set<EventType>();
  for (const pattern of patterns) {
    if (pattern.includes("*")) {
      const regexp = globToRegExp(pattern);
      const matches = EVENT_TYPES.filter((t) => regexp.test(t) && typeFitsScope(t, scope));
      if (matches.length === 0) {
        return { ok: false, message: `events: "${pattern}" matches no event type allowed for a ${scope.kind} webhook` };
      }
      for (const t of matches) chosen.add(t);
      continue;
    }
    const type = EVENT_TYPES.find((t) => t === pattern);
    if (!type) return { ok: false, message: `events: "${pattern}" is not an event type` };
    if (!typeFitsScope(type, scope)) {
      return { ok: false, message: `events: ${type} cannot be subscribed to on a ${scope.kind} webhook` };
    }
    chosen.add(type);
  }
  if (chosen.size === 0) return { ok: false, message: "events: at least one event type is required" };
  return { ok: true, types: EVENT_TYPES.filter((t) => chosen.has(t)) };
}
