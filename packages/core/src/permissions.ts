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
