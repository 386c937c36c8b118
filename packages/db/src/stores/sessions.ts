import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../client.js";
import { type AuthenticatedUser, authenticatedUser, findTokenHolder } from "./users.js";

/*
 * Web UI sessions: an API token is exchanged once for a random cookie value, of which only the
 * SHA-256 is stored (like API tokens), with a CSRF token the UI sends back on every write. A session
 * lives until it expires, its user signs out, or its API token is revoked (cascade).
 */

export interface SessionInfo {
  user: AuthenticatedUser;
  csrfToken: string;
  expiresAt: Date;
}

const sessionHash = (value: string) => createHash("sha256").update(value).digest("hex");
const randomToken = () => randomBytes(32).toString("base64url");

/** A new session for the holder of an API token; null when the token is not valid. */
export async function createSession(
  db: Db,
  apiTokenHash: string,
  ttlMs: number,
  now: Date = new Date(),
): Promise<(SessionInfo & { cookieValue: string }) | null> {
  const holder = await findTokenHolder(db, apiTokenHash);
  if (!holder) return null;
  const { token, user } = holder;
  const cookieValue = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.$transaction([
    // Sessions past their time are of no use to anyone; each sign-in clears them out.
    db.session.deleteMany({ where: { expiresAt: { lte: now } } }),
    db.session.create({ data: { tokenHash: sessionHash(cookieValue), apiTokenId: token.id, csrfToken, expiresAt } }),
  ]);
  return { user: authenticatedUser(user), csrfToken, expiresAt, cookieValue };
}

/** The live session a cookie value names, with its user as of now; null when there is none. */
export async function findSession(db: Db, cookieValue: string, now: Date = new Date()): Promise<SessionInfo | null> {
  const session = await db.session.findUnique({
    where: { tokenHash: sessionHash(cookieValue) },
    include: { apiToken: { include: { user: { include: { grants: true } } } } },
  });
  const user = session?.apiToken?.user as (NonNullable<typeof session>["apiToken"]["user"] | null) | undefined;
  if (!session || !user || session.expiresAt <= now) return null;
  return { user: authenticatedUser(user), csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

/** Signs out: the session is gone, whatever the cookie still says. */
export async function deleteSession(db: Db, cookieValue: string): Promise<void> {
  await db.session.deleteMany({ where: { tokenHash: sessionHash(cookieValue) } });
}
