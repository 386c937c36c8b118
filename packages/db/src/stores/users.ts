import type { Principal } from "@hookyard/core";
import type { Db } from "../client.js";
import type { Grant, Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { type CountedPage, countedPage, type Page, type PageQuery, readPageById } from "../paging.js";

export interface AuthenticatedUser extends Principal {
  userId: string;
  name: string;
}

/** An API token with its user and the user's grants; null when there is no such token or user. */
export async function findTokenHolder(db: Db, tokenHash: string) {
  const token = await db.apiToken.findUnique({
    where: { tokenHash },
    include: { user: { include: { grants: true } } },
  });
  // Prisma reads the token and its user in two queries: a user deleted in between (revoking the
  // token) comes back null, whatever the types say, and is no user.
  const user = token?.user as (NonNullable<typeof token>["user"] | null) | undefined;
  if (!token || !user) return null;
  return { token, user };
}

export async function findUserByTokenHash(db: Db, tokenHash: string): Promise<AuthenticatedUser | null> {
  const holder = await findTokenHolder(db, tokenHash);
  if (!holder) return null;
  await noteTokenUse(db, holder.token.id, holder.token.lastUsedAt);
  return authenticatedUser(holder.user);
}

/** A user row with its grants, as the API's permission checks read it. */
export function authenticatedUser(user: {
  id: string;
  name: string;
  admin: boolean;
  grants: ReadonlyArray<{ repository: string | null; namespace: string | null }>;
}): AuthenticatedUser {
  return {
    userId: user.id,
    name: user.name,
    admin: user.admin,
    repositoryAdmin: user.grants.flatMap((g) => (g.repository ? [g.repository] : [])),
    namespaceOwner: user.grants.flatMap((g) => (g.namespace && !g.repository ? [g.namespace] : [])),
  };
}

/** How stale a token's last use may be shown: at most one write per token this often, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Keeps a token's lastUsedAt (shown in its user's token list) to within a minute, so that an
 * operator rotating tokens sees which one is still in use. */
async function noteTokenUse(db: Db, tokenId: string, lastUsedAt: Date | null): Promise<void> {
  const now = Date.now();
  if (lastUsedAt && now - lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await db.apiToken.updateMany({
    where: { id: tokenId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }] },
    data: { lastUsedAt: new Date(now) },
  });
}

/** The name of the user HOOKYARD_ADMIN_TOKEN belongs to; no one else may take it. */
export const BOOTSTRAP_ADMIN_NAME = "admin";

/** The bootstrap admin's id, made if missing (and an admin again if it was not), its row locked
 * until the transaction ends: two processes starting at once take their turns. */
async function lockedBootstrapAdmin(tx: Prisma.TransactionClient): Promise<string> {
  const user = await tx.user.upsert({
    where: { name: BOOTSTRAP_ADMIN_NAME },
    update: { admin: true },
    create: { id: newId("user"), name: BOOTSTRAP_ADMIN_NAME, admin: true },
  });
  await tx.$queryRaw`SELECT 1 FROM users WHERE id = ${user.id} FOR UPDATE`;
  return user.id;
}

/**
 * HOOKYARD_ADMIN_TOKEN: makes sure the bootstrap admin exists and holds this token, and no other
 * token the environment gave or the first start generated, so a token replaced in the environment
 * stops working here. Tokens made through the API for the admin stay. A token the admin already
 * holds becomes the environment's: one set before Hookyard recorded sources is adopted so. One
 * transaction; returns how many earlier tokens were replaced.
 */
export async function ensureBootstrapAdmin(db: Db, tokenHash: string): Promise<{ replaced: number }> {
  return db.$transaction(async (tx) => {
    const userId = await lockedBootstrapAdmin(tx);
    const { count } = await tx.apiToken.deleteMany({
      where: { userId, source: { in: ["environment", "generated"] }, tokenHash: { not: tokenHash } },
    });
    await tx.$executeRaw`
      INSERT INTO api_tokens (id, user_id, token_hash, source)
      VALUES (${newId("token")}, ${userId}, ${tokenHash}, 'environment')
      ON CONFLICT (token_hash) DO UPDATE SET source = 'environment' WHERE api_tokens.user_id = ${userId}`;
    return { replaced: count };
  });
}

/**
 * The first start without HOOKYARD_ADMIN_TOKEN: gives the bootstrap admin this generated token,
 * unless it holds one already. True when this call stored it (so only that process prints it).
 */
export async function storeGeneratedAdminToken(db: Db, tokenHash: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const userId = await lockedBootstrapAdmin(tx);
    if ((await tx.apiToken.count({ where: { userId } })) > 0) return false;
    await tx.apiToken.create({ data: { id: newId("token"), userId, tokenHash, source: "generated" } });
    return true;
  });
}

/** Whether the bootstrap admin holds a token (of any source). */
export async function adminHasToken(db: Db): Promise<boolean> {
  const count = await db.apiToken.count({ where: { user: { admin: true, name: BOOTSTRAP_ADMIN_NAME } } });
  return count > 0;
}

/** What the users API shows of a user (never a token or its hash). */
export interface UserSummary {
  id: string;
  name: string;
  admin: boolean;
  createdAt: Date;
}

const USER_SUMMARY = { id: true, name: true, admin: true, createdAt: true } as const;
const TOKEN_SUMMARY = { id: true, createdAt: true, lastUsedAt: true } as const;

export interface TokenSummary {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Prisma's code for a unique constraint that refused a row. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2002";
}

/** A user and its first token, in one statement; "name_taken" when the name is someone else's. */
export async function insertUser(
  db: Db,
  user: { name: string; admin: boolean; tokenHash: string },
): Promise<UserSummary | "name_taken"> {
  try {
    return await db.user.create({
      data: {
        id: newId("user"),
        name: user.name,
        admin: user.admin,
        tokens: { create: { id: newId("token"), tokenHash: user.tokenHash } },
      },
      select: USER_SUMMARY,
    });
  } catch (error) {
    if (isUniqueViolation(error)) return "name_taken";
    throw error;
  }
}

/** Every user, oldest first. */
export async function listUsers(db: Db, page: PageQuery): Promise<CountedPage<UserSummary>> {
  return countedPage(
    readPageById(page, "asc", ({ idAfter, ...window }) =>
      db.user.findMany({ where: { id: idAfter }, select: USER_SUMMARY, ...window }),
    ),
    (take) => db.user.count({ take }),
  );
}

export async function findUser(db: Db, id: string): Promise<UserSummary | null> {
  return db.user.findUnique({ where: { id }, select: USER_SUMMARY });
}

export type DeleteUserOutcome = { deleted: true } | { deleted: false; reason: "not_found" | "last_admin" };

/**
 * Deletes a user, its tokens and grants (cascade), unless it is the last global admin. Its webhooks
 * and chains stay, with no author (onDelete SetNull): they belong to their scope. The admins and the user are locked first, in id order, so two
 * admins deleting each other at once cannot both succeed and leave nobody in charge.
 */
export async function deleteUser(db: Db, id: string): Promise<DeleteUserOutcome> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string; admin: boolean }>>`
      SELECT id, admin FROM users WHERE admin OR id = ${id} ORDER BY id FOR UPDATE`;
    const user = locked.find((row) => row.id === id);
    if (!user) return { deleted: false, reason: "not_found" };
    if (user.admin && locked.filter((row) => row.admin).length === 1) return { deleted: false, reason: "last_admin" };
    await tx.user.delete({ where: { id } });
    return { deleted: true };
  });
}

/** A further token for the user; null when there is no such user. */
export async function insertToken(db: Db, userId: string, tokenHash: string): Promise<TokenSummary | null> {
  const [row] = await db.$queryRaw<TokenSummary[]>`
    INSERT INTO api_tokens (id, user_id, token_hash)
    SELECT ${newId("token")}, id, ${tokenHash} FROM users WHERE id = ${userId}
    RETURNING id, created_at AS "createdAt", last_used_at AS "lastUsedAt"`;
  return row ?? null;
}

async function userExists(db: Db, userId: string): Promise<boolean> {
  return (await db.user.count({ where: { id: userId } })) > 0;
}

/** The user's tokens, oldest first; null when there is no such user. */
export async function listTokens(db: Db, userId: string, page: PageQuery): Promise<CountedPage<TokenSummary> | null> {
  if (!(await userExists(db, userId))) return null;
  return countedPage(
    readPageById(page, "asc", ({ idAfter, ...window }) =>
      db.apiToken.findMany({ where: { userId, id: idAfter }, select: TOKEN_SUMMARY, ...window }),
    ),
    (take) => db.apiToken.count({ where: { userId }, take }),
  );
}

/** Whether the token existed (and belonged to the user); authentication reads the table, so it
 * stops working with this statement. */
export async function deleteToken(db: Db, userId: string, tokenId: string): Promise<boolean> {
  const { count } = await db.apiToken.deleteMany({ where: { id: tokenId, userId } });
  return count > 0;
}

/** A grant on one repository (role admin) or one namespace (role owner). */
export type GrantScope = { repository: string; namespace: string } | { namespace: string };

/**
 * Adds a grant; "duplicate" when the user holds it already. A repository grant also stores its
 * namespace, as findUserByTokenHash and the webhook rows expect. The unique index cannot catch a
 * second namespace grant (its NULL repository is distinct from every other), so the user's row is
 * locked and the check made under that lock.
 */
export async function insertGrant(
  db: Db,
  userId: string,
  scope: GrantScope,
): Promise<Grant | "not_found" | "duplicate"> {
  const repository = "repository" in scope ? scope.repository : null;
  try {
    return await db.$transaction(async (tx) => {
      const user = await tx.$queryRaw<unknown[]>`SELECT 1 FROM users WHERE id = ${userId} FOR UPDATE`;
      if (user.length === 0) return "not_found";
      const existing = await tx.grant.count({
        where: repository ? { userId, repository } : { userId, repository: null, namespace: scope.namespace },
      });
      if (existing > 0) return "duplicate";
      return tx.grant.create({
        data: {
          id: newId("grant"),
          userId,
          repository,
          namespace: scope.namespace,
          role: repository ? "admin" : "owner",
        },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

/** The user's grants, oldest first; null when there is no such user. */
export async function listGrants(db: Db, userId: string, page: PageQuery): Promise<CountedPage<Grant> | null> {
  if (!(await userExists(db, userId))) return null;
  return countedPage(
    readPageById(page, "asc", ({ idAfter, ...window }) =>
      db.grant.findMany({ where: { userId, id: idAfter }, ...window }),
    ),
    (take) => db.grant.count({ where: { userId }, take }),
  );
}

export async function deleteGrant(db: Db, userId: string, grantId: string): Promise<boolean> {
  const { count } = await db.grant.deleteMany({ where: { id: grantId, userId } });
  return count > 0;
}
