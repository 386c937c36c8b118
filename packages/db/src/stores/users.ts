import type { Principal } from "@hookyard/core";
import type { Db } from "../client.js";
import { newId } from "../ids.js";

export interface AuthenticatedUser extends Principal {
  userId: string;
  name: string;
}

export async function findUserByTokenHash(db: Db, tokenHash: string): Promise<AuthenticatedUser | null> {
  const token = await db.apiToken.findUnique({
    where: { tokenHash },
    include: { user: { include: { grants: true } } },
  });
  if (!token) return null;
  const { user } = token;
  return {
    userId: user.id,
    name: user.name,
    admin: user.admin,
    repositoryAdmin: user.grants.flatMap((g) => (g.repository ? [g.repository] : [])),
    namespaceOwner: user.grants.flatMap((g) => (g.namespace && !g.repository ? [g.namespace] : [])),
  };
}

/**
 * Makes sure the bootstrap admin exists and holds this token. Returns false when the token was
 * already there. Two processes starting at once both end with the same single row.
 */
export async function ensureBootstrapAdmin(db: Db, tokenHash: string): Promise<boolean> {
  const user = await db.user.upsert({
    where: { name: "admin" },
    update: { admin: true },
    create: { id: newId("user"), name: "admin", admin: true },
  });
  const inserted = await db.$executeRaw`
    INSERT INTO api_tokens (id, user_id, token_hash) VALUES (${newId("token")}, ${user.id}, ${tokenHash})
    ON CONFLICT (token_hash) DO NOTHING`;
  return inserted > 0;
}

export async function adminHasToken(db: Db): Promise<boolean> {
  const count = await db.apiToken.count({ where: { user: { admin: true, name: "admin" } } });
  return count > 0;
}
