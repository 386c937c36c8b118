import { type EventLevel, type EventType, eventLevel } from "./event-types.js";

/**
 * What a webhook listens to. A repository scope hears that repository's events; a namespace scope
 * hears the namespace's REPO_* events and the repository events of every repository in it; the
 * global scope hears everything.
 */
export type Scope =
  | { kind: "global" }
  | { kind: "namespace"; namespace: string }
  | { kind: "repository"; namespace: string; repository: string };

/** The event levels a subscription at this scope may ask for (the DTR table). */
export function levelsAllowed(scope: Scope): readonly EventLevel[] {
  switch (scope.kind) {
    case "global":
      return ["repository", "namespace", "global"];
    case "namespace":
      return ["repository", "namespace"];
    case "repository":
      return ["repository"];
  }
}

export function typeFitsScope(type: EventType, scope: Scope): boolean {
  return levelsAllowed(scope).includes(eventLevel(type));
}

/** Whether an event at (namespace, repository) falls inside a scope. */
export function scopeCovers(scope: Scope, event: { namespace?: string | null; repository?: string | null }): boolean {
  switch (scope.kind) {
    case "global":
      return true;
    case "namespace":
      return event.namespace === scope.namespace;
    case "repository":
      return event.repository === scope.repository;
  }
}

/** The scope a stored webhook row stands for. */
export function scopeOf(row: { namespace: string | null; repository: string | null }): Scope {
  if (row.repository)
    return {
      kind: "repository",
      namespace: row.namespace ?? row.repository.split("/")[0] ?? "",
      repository: row.repository,
    };
  if (row.namespace) return { kind: "namespace", namespace: row.namespace };
  return { kind: "global" };
}
