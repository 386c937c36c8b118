import { type EventType, eventLevel } from "./event-types.js";
import type { Scope } from "./scope.js";

/** Who is asking, as far as subscription rules care. */
export interface Principal {
  admin: boolean;
  /** Repositories ("ns/repo") the user administers. */
  repositoryAdmin: readonly string[];
  /** Namespaces the user owns. */
  namespaceOwner: readonly string[];
}

/**
 * DTR's rule: repository admins subscribe to their repository, namespace owners to their namespace
 * and every repository in it, global admins to anything (including the global scope).
 */
export function maySubscribe(principal: Principal, scope: Scope): boolean {
  if (principal.admin) return true;
  switch (scope.kind) {
    case "global":
      return false;
    case "namespace":
      return principal.namespaceOwner.includes(scope.namespace);
    case "repository":
      return principal.namespaceOwner.includes(scope.namespace) || principal.repositoryAdmin.includes(scope.repository);
  }
}

/** Whether the principal may subscribe to this type in some scope: who may send a sample of it to
 * an endpoint of their choosing (DTR's POST /api/v0/webhooks/test names no scope). */
export function maySubscribeToType(principal: Principal, type: EventType): boolean {
  if (principal.admin) return true;
  switch (eventLevel(type)) {
    case "global":
      return false;
    case "namespace":
      return principal.namespaceOwner.length > 0;
    case "repository":
      return principal.namespaceOwner.length > 0 || principal.repositoryAdmin.length > 0;
  }
}
