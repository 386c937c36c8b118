import { hashToken, presentedToken } from "@hookyard/core";
import { type AuthenticatedUser, type Db, findUserByTokenHash } from "@hookyard/db";
import type { Request, RequestHandler } from "express";
import { forbidden, unauthorized } from "./api-error.js";

declare global {
  namespace Express {
    interface Request {
      user?: AuthenticatedUser;
    }
  }
}

export function requireUser(db: Db): RequestHandler {
  return async (req, _res, next) => {
    const token = presentedToken(req.header("authorization"));
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
