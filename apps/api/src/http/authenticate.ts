import { timingSafeEqual } from "node:crypto";
import { hashToken, presentedToken } from "@hookyard/core";
import { type AuthenticatedUser, type Db, findSession, findUserByTokenHash, type SessionInfo } from "@hookyard/db";
import { parse as parseCookie } from "cookie";
import type { Request, RequestHandler } from "express";
import { ApiError, forbidden, unauthorized } from "./api-error.js";

declare global {
  namespace Express {
    interface Request {
      user?: AuthenticatedUser;
      /** Set when the request was authenticated by the web UI's session cookie. */
      webSession?: SessionInfo & { cookie: string };
    }
  }
}

/** The web UI's session cookie (routes/session.ts sets it). */
export const SESSION_COOKIE = "hookyard_session";

/** Methods that change nothing, so a request made with the cookie needs no CSRF token for them. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sessionCookie(req: Request): string | undefined {
  const header = req.header("cookie");
  return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? "");
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A user by bearer (or Basic) token, as scripts call the API, or by the web UI's session cookie. A
 * write made with the cookie must also carry the session's X-CSRF-Token, which another site's page
 * cannot read (SameSite=Strict already keeps the cookie off its requests; this is the second lock).
 * A request with an Authorization header is judged by that header alone.
 */
export function requireUser(db: Db): RequestHandler {
  return async (req, _res, next) => {
    const authorization = req.header("authorization");
    const cookie = authorization === undefined ? sessionCookie(req) : undefined;
    if (cookie !== undefined) {
      const session = await findSession(db, cookie);
      if (!session) throw unauthorized("the session has ended or expired: sign in again");
      if (!SAFE_METHODS.has(req.method) && !sameSecret(req.header("x-csrf-token"), session.csrfToken)) {
        throw new ApiError(
          403,
          "csrf",
          "X-CSRF-Token: a change made with the session cookie needs the session's CSRF token",
        );
      }
      req.user = session.user;
      req.webSession = { cookie, ...session };
      next();
      return;
    }
    const token = presentedToken(authorization);
    if (!token) throw unauthorized();
    const user = await findUserByTokenHash(db, hashToken(token));
    if (!user) throw unauthorized("the token is not valid");
    req.user = user;
    next();
  };
}

export const requireAdmin: RequestHandler = (req, _res, next) => {
  if (!req.user?.admin) throw forbidden("this needs a global admin");
  next();
};

export function currentUser(req: Request): AuthenticatedUser {
  if (!req.user) throw unauthorized();
  return req.user;
}

/** Registries publish with one of HOOKYARD_INGEST_TOKENS; compared by hash, so timing says nothing.
 * The check throws a 401 ApiError for a missing or unknown token. */
export function ingestTokenCheck(ingestTokens: readonly string[]): (authorization: string | undefined) => void {
  const allowed = new Set(ingestTokens.map(hashToken));
  return (authorization) => {
    const token = presentedToken(authorization);
    if (!token) throw unauthorized("an ingest token is required (Authorization: Bearer <token>)");
    if (!allowed.has(hashToken(token))) throw unauthorized("the ingest token is not valid");
  };
}
