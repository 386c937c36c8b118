import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { repositoriesQuery } from "../../routes/repositories.js";
import { signInBody } from "../../routes/session.js";
import { AUTHENTICATED, errors, json, noContent, ok } from "../responses.js";
import { nullableTimestamp, pageOf, timestamp } from "../schemas/common.js";
import { meSchema } from "../schemas/users.js";

const sessionSchema = z
  .object({
    user: meSchema,
    csrfToken: z.string().meta({ description: "send as X-CSRF-Token on every write made with the cookie" }),
    expiresAt: timestamp,
  })
  .meta({ id: "Session" });

const repositoryListSchema = pageOf(
  z
    .object({
      repository: z.string(),
      namespace: z.string(),
      webhooks: z.int().meta({ description: "its repository webhooks, deleted ones not counted" }),
      chains: z.int(),
      lastEventAt: nullableTimestamp.meta({ description: "when its latest event happened; null: none seen" }),
    })
    .meta({ id: "RepositorySummary" }),
).meta({ id: "RepositoryList" });

/** What the web UI needs besides the rest of the API: its sign-in, and where it starts (routes/session.ts, repositories.ts). */
export const webUiPaths: ZodOpenApiPathsObject = {
  "/api/v1/session": {
    post: {
      operationId: "signIn",
      tags: ["Web UI"],
      summary: "Exchange an API token for a session cookie (the web UI's sign-in)",
      description:
        "Sets `hookyard_session` (HttpOnly, SameSite=Strict, Secure behind https; lasts HOOKYARD_SESSION_TTL). " +
        "With that cookie every route works as with the token; a write (not GET or HEAD) must also carry " +
        "`X-CSRF-Token` with the session's csrfToken, else 403 `csrf`, and `Content-Type: application/json` even " +
        "without a body, else 415. A wrong token counts as a failed authentication of the client's address " +
        "(429 past HOOKYARD_AUTH_FAILURE_LIMIT). Revoking the token ends its sessions.",
      security: [],
      requestBody: { required: true, content: json(signInBody.meta({ id: "SignInRequest" })) },
      responses: { 200: ok("Signed in; the cookie is set", sessionSchema), ...errors(400, 401, 413, 415, 429, 503) },
    },
    get: {
      operationId: "getSession",
      tags: ["Web UI"],
      summary: "The session the cookie holds (401 once it ended or expired)",
      responses: { 200: ok("The session", sessionSchema), ...errors(...AUTHENTICATED) },
    },
    delete: {
      operationId: "signOut",
      tags: ["Web UI"],
      summary: "Sign out: the session ends and the cookie is cleared",
      responses: { 204: noContent, ...errors(...AUTHENTICATED, 403, 415) },
    },
  },
  "/api/v1/repositories": {
    get: {
      operationId: "listRepositories",
      tags: ["Web UI"],
      summary: "The repositories the caller may administer, by name",
      description:
        "Every repository seen in events or holding webhooks or chains, within the caller's reach (all for a " +
        "global admin, its namespaces' for an owner), and the repositories granted to it, seen or not. " +
        "`search` keeps those whose name holds it, ignoring case. By name; the cursor is the last name of the page before.",
      requestParams: { query: repositoriesQuery },
      responses: { 200: ok("A page of repositories", repositoryListSchema), ...errors(400, ...AUTHENTICATED) },
    },
  },
};
