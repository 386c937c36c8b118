import { generateToken, hashToken, isValidNamespace, isValidRepositoryName, splitRepositoryName } from "@hookyard/core";
import {
  type AuthenticatedUser,
  BOOTSTRAP_ADMIN_NAME,
  type Db,
  deleteUser,
  type Grant,
  type GrantScope,
  insertGrant,
  insertToken,
  insertUser,
  type UserSummary,
} from "@hookyard/db";
import { z } from "zod";
import { ApiError, badRequest, notFound } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";

const conflict = (message: string) => new ApiError(409, "conflict", message);

/** Names appear in URLs, logs and shells: plain characters only. */
export const USER_NAME_RULE = "must be 1 to 100 characters of A-Z, a-z, 0-9, '.', '_' and '-'";

export const createUserBody = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, USER_NAME_RULE)
    // Start-up makes the user of this name a global admin holding HOOKYARD_ADMIN_TOKEN: a user given
    // the name after the bootstrap admin was deleted would become one at the next start.
    .refine((name) => name !== BOOTSTRAP_ADMIN_NAME, `"${BOOTSTRAP_ADMIN_NAME}" is kept for the bootstrap admin`),
  admin: z.boolean().default(false),
});

/** The token route takes no fields; an empty body, none at all, or {} are the same. */
export const createTokenBody = z.strictObject({}).optional();

export const createGrantBody = z.strictObject({
  repository: z.string().max(255).optional(),
  namespace: z.string().max(255).optional(),
  role: z.enum(["admin", "owner"]),
});

export async function createUser(db: Db, body: unknown) {
  const input = parseInput(createUserBody, body);
  const token = generateToken();
  const user = await insertUser(db, { name: input.name, admin: input.admin, tokenHash: hashToken(token) });
  if (user === "name_taken") throw conflict(`name: a user named "${input.name}" exists already`);
  return { ...presentUser(user), token };
}

export async function removeUser(db: Db, id: string): Promise<void> {
  const outcome = await deleteUser(db, id);
  if (outcome.deleted) return;
  switch (outcome.reason) {
    case "not_found":
      throw notFound("user");
    case "last_admin":
      throw conflict("this is the last global admin; make another user admin before deleting this one");
  }
}

export async function createToken(db: Db, userId: string, body: unknown) {
  parseInput(createTokenBody, body);
  const token = generateToken();
  const row = await insertToken(db, userId, hashToken(token));
  if (!row) throw notFound("user");
  return { id: row.id, token, createdAt: row.createdAt };
}

function grantScope(input: z.infer<typeof createGrantBody>): GrantScope {
  if (input.repository !== undefined && input.namespace !== undefined) {
    throw badRequest("repository: give either repository (role admin) or namespace (role owner), not both");
  }
  if (input.repository !== undefined) {
    if (!isValidRepositoryName(input.repository)) {
      throw badRequest(`repository: "${input.repository}" is not a repository name such as "namespace/name"`);
    }
    if (input.role !== "admin") throw badRequest('role: a repository grant has role "admin"');
    return { repository: input.repository, namespace: splitRepositoryName(input.repository).namespace };
  }
  if (input.namespace !== undefined) {
    if (!isValidNamespace(input.namespace)) throw badRequest(`namespace: "${input.namespace}" is not a namespace name`);
    if (input.role !== "owner") throw badRequest('role: a namespace grant has role "owner"');
    return { namespace: input.namespace };
  }
  throw badRequest("repository: give a repository (role admin) or a namespace (role owner)");
}

export async function createGrant(db: Db, userId: string, body: unknown) {
  const scope = grantScope(parseInput(createGrantBody, body));
  const grant = await insertGrant(db, userId, scope);
  if (grant === "not_found") throw notFound("user");
  if (grant === "duplicate") {
    throw conflict(
      "repository" in scope
        ? `repository: the user is already admin of ${scope.repository}`
        : `namespace: the user already owns ${scope.namespace}`,
    );
  }
  return presentGrant(grant);
}

export function presentUser(user: UserSummary) {
  return { id: user.id, name: user.name, admin: user.admin, createdAt: user.createdAt };
}

/** A repository grant is stored with its namespace too (for the permission checks); shown, it names
 * only what it grants, so a client reading `namespace` never takes it for ownership. */
export function presentGrant(grant: Grant) {
  return {
    id: grant.id,
    repository: grant.repository,
    namespace: grant.repository ? null : grant.namespace,
    role: grant.role,
    createdAt: grant.createdAt,
  };
}

const sortedUnique = (values: readonly string[]) => [...new Set(values)].sort();

export function presentMe(user: AuthenticatedUser) {
  return {
    id: user.userId,
    name: user.name,
    admin: user.admin,
    repositories: sortedUnique(user.repositoryAdmin),
    namespaces: sortedUnique(user.namespaceOwner),
  };
}
