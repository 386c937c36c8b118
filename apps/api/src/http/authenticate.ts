import { timingSafeEqual } from "node:crypto";
import type { Config } from "@hookyard/config";
import { authorizationScheme, hashToken, presentedToken } from "@hookyard/core";
import { type AuthenticatedUser, type Db, findSession, findUserByTokenHash, type SessionInfo } from "@hookyard/db";
import { parse as parseCookie } from "cookie";
import type { Request, RequestHandler } from "express";
import typeis from "type-is";
import { ApiError, forbidden, unauthorized } from "./api-error.js";
import { type AuthFailureLimiter, clientAddress } from "./auth-limiter.js";
import { JSON_TYPES } from "./json-body.js";

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

/** Where Basic auth is taken: DTR scripts (`curl -u user:token`) and Bull Board in a browser. */
const BASIC_ONLY_ON = "/api/v0 (DTR scripts) and /admin/queues (Bull Board)";

/** What requireUser checks a request with. */
export interface UserAuthDeps {
  db: Db;
  config: Pick<Config, "publicUrl">;
  authLimiter: AuthFailureLimiter;
}

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
 * A browser sends Basic credentials it cached and the session cookie by itself, also with a
 * request another site's page makes. Such a page can send a write without asking first (a CORS
 * preflight, which Hookyard never grants) only as a POST of a form's or text's media type: so
 * a write made with them must say it is JSON, and any Origin it carries must be Hookyard's own.
 * `anyMethod`: the cookie's writes all need the JSON media type (the web UI sends it on every one);
 * Basic's only on POST, since DTR scripts delete with a bare `curl -u -X DELETE` and Bull Board's
 * buttons PUT without a body, methods no other site's page can send unasked.
 */
function assertOwnWrite(req: Request, ownOrigin: string, anyMethod: boolean): void {
  const origin = req.header("origin")?.toLowerCase();
  if (origin !== undefined) {
    const host = req.header("host")?.toLowerCase();
    const own = origin === ownOrigin || (host !== undefined && [`http://${host}`, `https://${host}`].includes(origin));
    if (!own) {
      throw new ApiError(
        403,
        "cross_origin",
        `Origin: a change made with Basic auth or the session cookie must come from Hookyard's own origin (${ownOrigin})`,
      );
    }
  }
  if ((anyMethod || req.method === "POST") && !typeis.is(req.header("content-type") ?? "", JSON_TYPES)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      "Content-Type must be application/json on a change made with Basic auth or the session cookie, even with no body",
    );
  }
}

/**
 * A user by bearer token, as scripts call the API, or by the web UI's session cookie; with `basic`,
 * also by Basic auth (any user name, the token as the password), which only DTR's v0 and Bull Board
 * take. A write made with the cookie must also carry the session's X-CSRF-Token, which another
 * site's page cannot read (SameSite=Strict already keeps the cookie off its requests; this is the
 * second lock), and one made with the cookie or Basic must pass assertOwnWrite. A request with an
 * Authorization header is judged by that header alone. A client address past its failed tokens is
 * answered 429 (auth-limiter.ts) whatever it presents.
 */
export function requireUser(deps: UserAuthDeps, options: { basic?: boolean } = {}): RequestHandler {
  const { db, authLimiter } = deps;
  const ownOrigin = new URL(deps.config.publicUrl).origin.toLowerCase();
  return async (req, _res, next) => {
    const authorization = req.header("authorization");
    const address = clientAddress(req.socket.remoteAddress);
    const cookie = authorization === undefined ? sessionCookie(req) : undefined;
    if (cookie !== undefined) {
      authLimiter.assertAllowed(address);
      const session = await findSession(db, cookie);
      if (!session) throw unauthorized("the session has ended or expired: sign in again");
      if (!SAFE_METHODS.has(req.method)) {
        assertOwnWrite(req, ownOrigin, true);
        if (!sameSecret(req.header("x-csrf-token"), session.csrfToken)) {
          throw new ApiError(
            403,
            "csrf",
            "X-CSRF-Token: a change made with the session cookie needs the session's CSRF token",
          );
        }
      }
      req.user = session.user;
      req.webSession = { cookie, ...session };
      next();
      return;
    }
    const basic = authorizationScheme(authorization) === "basic";
    if (basic && !options.basic) {
      throw unauthorized(
        `Basic auth is taken only by ${BASIC_ONLY_ON}: send the token as Authorization: Bearer <token>`,
      );
    }
    const token = presentedToken(authorization);
    if (!token) throw unauthorized();
    authLimiter.assertAllowed(address);
    const user = await findUserByTokenHash(db, hashToken(token));
    if (!user) {
      authLimiter.recordFailure(address);
      throw unauthorized("the token is not valid");
    }
    if (basic && !SAFE_METHODS.has(req.method)) assertOwnWrite(req, ownOrigin, false);
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

/** Whether a token is one of HOOKYARD_INGEST_TOKENS, which registries publish with; compared by
 * hash, so timing says nothing. */
export function ingestTokenMatcher(ingestTokens: readonly string[]): (token: string) => boolean {
  const allowed = new Set(ingestTokens.map(hashToken));
  return (token) => allowed.has(hashToken(token));
}
