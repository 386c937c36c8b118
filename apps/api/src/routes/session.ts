import { hashToken } from "@hookyard/core";
import { createSession, deleteSession } from "@hookyard/db";
import { type CookieOptions, Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { unauthorized } from "../http/api-error.js";
import { clientAddress } from "../http/auth-limiter.js";
import { currentUser, requireUser, SESSION_COOKIE } from "../http/authenticate.js";
import { jsonBody } from "../http/json-body.js";
import { parseInput } from "../http/validate.js";
import { presentMe } from "../services/users.js";

export const signInBody = z.strictObject({ token: z.string().min(1).max(512) });

/**
 * The web UI's sign-in: an API token, typed once, is exchanged for an HttpOnly, SameSite=Strict
 * cookie (the page's script never holds a credential) and a CSRF token for its writes.
 */
export function sessionRoutes(deps: ApiDeps): Router {
  const { config, db, authLimiter } = deps;
  const router = Router();
  const cookieOptions = (expires?: Date): CookieOptions => ({
    httpOnly: true,
    sameSite: "strict",
    // Behind TLS the cookie never travels in clear; on plain http (loopback, tests) it must be allowed to.
    secure: config.publicUrl.startsWith("https:"),
    path: "/",
    ...(expires ? { expires } : {}),
  });
  router.use("/api/v1/session", ...jsonBody("4kb"));

  // A wrong token is a failed authentication of the client's address, as on any other route.
  router.post("/api/v1/session", async (req, res) => {
    const { token } = parseInput(signInBody, req.body);
    const address = clientAddress(req.socket.remoteAddress);
    authLimiter.assertAllowed(address);
    const session = await createSession(db, hashToken(token), config.sessionTtlMs);
    if (!session) {
      authLimiter.recordFailure(address);
      throw unauthorized("the token is not valid");
    }
    res.cookie(SESSION_COOKIE, session.cookieValue, cookieOptions(session.expiresAt));
    res.json({ user: presentMe(session.user), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });

  router.get("/api/v1/session", requireUser(deps), (req, res) => {
    const session = req.webSession;
    if (!session) throw unauthorized("no session: sign in with POST /api/v1/session");
    res.json({ user: presentMe(currentUser(req)), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  });

  router.delete("/api/v1/session", requireUser(deps), async (req, res) => {
    if (req.webSession) await deleteSession(db, req.webSession.cookie);
    res.clearCookie(SESSION_COOKIE, cookieOptions());
    res.status(204).end();
  });
  return router;
}
