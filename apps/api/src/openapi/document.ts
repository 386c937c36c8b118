import { readFileSync } from "node:fs";
import { createDocument, type ZodOpenApiPathsObject } from "zod-openapi";
import { callbackPaths } from "./paths/callbacks.js";
import { chainRunPaths } from "./paths/chain-runs.js";
import { chainPaths } from "./paths/chains.js";
import { deliveryPaths } from "./paths/deliveries.js";
import { docsPaths } from "./paths/docs.js";
import { dtrV0Paths } from "./paths/dtr-v0.js";
import { ingestPaths } from "./paths/ingest.js";
import { limitPaths } from "./paths/limits.js";
import { operationsPaths } from "./paths/operations.js";
import { overviewPaths } from "./paths/overview.js";
import { userPaths } from "./paths/users.js";
import { webUiPaths } from "./paths/web-ui.js";
import { webhookPaths } from "./paths/webhooks.js";
import { webhookDeliveries } from "./webhooks.js";

/** One entry per area, in the order the reference shows them. A new area adds its file here. */
const AREAS: ZodOpenApiPathsObject[] = [
  webhookPaths,
  deliveryPaths,
  callbackPaths,
  chainPaths,
  chainRunPaths,
  webUiPaths,
  dtrV0Paths,
  userPaths,
  limitPaths,
  ingestPaths,
  operationsPaths,
  overviewPaths,
  docsPaths,
];

const TAGS = [
  { name: "Webhooks", description: "Subscriptions: which events go to which URL" },
  { name: "Deliveries", description: "What was sent, every attempt and its answer" },
  { name: "Callbacks", description: "Where receivers of dockerhub deliveries answer, at the callback_url" },
  {
    name: "Chains",
    description: "Webhooks of a repository run one after the other, each once the one before called back",
  },
  { name: "Web UI", description: "The web UI's sign-in (a session cookie) and its list of repositories" },
  { name: "DTR compatibility", description: "DTR's /api/v0 webhook API, for existing DTR scripts" },
  { name: "Users", description: "Users, their tokens and grants (global admins), and the caller itself" },
  { name: "Limits", description: "How many webhooks one scope may have (global admins)" },
  { name: "Ingest", description: "Where registries post events, with one of HOOKYARD_INGEST_TOKENS" },
  { name: "Operations", description: "Health, readiness, metrics, Bull Board" },
  { name: "Documentation", description: "This document and its rendering" },
];

const packageVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** Paths that two areas both claim would silently replace each other; this refuses that. */
function mergeAreas(areas: ZodOpenApiPathsObject[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const area of areas) {
    for (const [path, item] of Object.entries(area)) {
      if (path in paths) throw new Error(`OpenAPI: ${path} is declared by two areas`);
      paths[path] = item;
    }
  }
  return paths;
}

/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas the routes validate with.
 * Built once when the app is made: the schemas do not change while the process runs.
 */
export function buildOpenApiDocument(): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Hookyard",
      version: packageVersion,
      description:
        "Container-registry events in, webhook deliveries out. Errors are " +
        '`{"error": {"code", "message"}}`; see docs/api.md in the repository for the whole guide.',
    },
    tags: TAGS,
    // Every operation needs a token unless it says otherwise (security: []); Basic auth only where
    // an operation says so (WITH_BASIC: /api/v0 and /admin/queues).
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "`Authorization: Bearer <token>`: a user's API token, or an ingest token on ingest routes",
        },
        basicAuth: {
          type: "http",
          scheme: "basic",
          description:
            "Any user name, the token as the password (`curl -u any:<token>`, a browser's prompt). Taken only by " +
            "/api/v0 (DTR scripts) and /admin/queues (Bull Board); elsewhere 401. A POST made with it needs " +
            "Content-Type: application/json, and a write's Origin, if any, must be Hookyard's own (403 cross_origin).",
        },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: "hookyard_session",
          description:
            "The web UI's session (POST /api/v1/session); writes also need X-CSRF-Token and " +
            "Content-Type: application/json (even with no body), and an Origin, if any, of Hookyard's own",
        },
      },
    },
    paths: mergeAreas(AREAS),
    // What Hookyard sends to receivers, one entry per payload format (OpenAPI 3.1 webhooks).
    webhooks: webhookDeliveries,
  });
}
