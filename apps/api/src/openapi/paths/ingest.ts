import { QUAY_EVENTS } from "@hookyard/core";
import { z } from "zod";
import type { ZodOpenApiContentObject, ZodOpenApiOperationObject, ZodOpenApiPathsObject } from "zod-openapi";
import { INGEST_ROUTES } from "../../routes/ingest.js";
import { errors, ok } from "../responses.js";

/** IngestAnswer (services/ingest.ts). */
const ingestAnswerSchema = z
  .object({
    accepted: z.int().meta({ description: "events queued now" }),
    duplicates: z.int().meta({ description: "events whose id was seen before; not delivered again" }),
    ignored: z.int().meta({ description: "entries that are no event Hookyard delivers (blob pushes, HEADs, ...)" }),
  })
  .meta({ id: "IngestAnswer" });

const QUAY_ABOUT =
  "The body is Quay's event data (`repository`, `namespace`, `name`, `docker_url`, `homepage`, and what the " +
  "event adds); Quay sends no event name, time, id or digest. repo_push becomes one TAG_PUSH per updated tag, " +
  "vulnerability_found one SCAN_COMPLETED per tag, repo_mirror_sync_success (only with `?event=`) " +
  "POLL_MIRRORING; anything else, and Quay's test notifications, count as ignored.";

const quayQuery = z.object({
  event: z.enum(QUAY_EVENTS).optional().meta({
    description: "the notification's Quay event; without it the body's shape decides, and mirror events are ignored",
  }),
});

// The bodies belong to the registries that send them and are read by the source parsers of
// packages/core/src/sources; they are described here, not restated field by field.
const ABOUT: Record<
  string,
  Pick<ZodOpenApiOperationObject, "operationId" | "summary" | "description" | "requestParams" | "security">
> = {
  "/api/v1/ingest/distribution": {
    operationId: "ingestDistribution",
    summary: "A CNCF Distribution notification envelope",
    description:
      'The `{"events": [...]}` envelope a Distribution registry posts to its notification endpoints. A tagged ' +
      "manifest push becomes MANIFEST_PUSH and TAG_PUSH; blob pushes, mounts and HEAD requests count as ignored.",
  },
  "/api/v1/ingest/harbor": {
    operationId: "ingestHarbor",
    summary: "A Harbor webhook, default or CloudEvents format",
  },
  "/api/v1/ingest/quay": {
    operationId: "ingestQuay",
    summary: "A Quay webhook notification",
    description: QUAY_ABOUT,
    requestParams: { query: quayQuery },
  },
  "/api/v1/ingest/quay/{token}": {
    operationId: "ingestQuayPathToken",
    summary: "A Quay webhook notification, the ingest token in the path",
    description:
      "The same as `POST /api/v1/ingest/quay`, for Quay's webhook method, which can only call a bare URL: no " +
      "Authorization header, the last path segment is one of HOOKYARD_INGEST_TOKENS (401 otherwise). The " +
      "token is masked in logs and never repeated in an answer. " +
      QUAY_ABOUT,
    security: [],
    requestParams: {
      path: z.object({ token: z.string().meta({ description: "one of HOOKYARD_INGEST_TOKENS, percent-encoded" }) }),
      query: quayQuery,
    },
  },
  "/api/v1/events": {
    operationId: "ingestNativeEvents",
    summary: "Native events, for publishers of what registries do not emit",
    description:
      'One event or `{"events": [...]}` (at most 100) of `{"type", "repository"?, "namespace"?, "tag"?, ' +
      '"digest"?, "id"?, "occurredAt"?, "contents"?}`. An `id` seen before is answered as a duplicate.',
  },
};

const anyJsonObject = z.looseObject({}).meta({ description: "read by the source's parser; see the description" });

function ingestOperation(path: string, mediaTypes: readonly string[]): ZodOpenApiOperationObject {
  const content: ZodOpenApiContentObject = Object.fromEntries(
    mediaTypes.map((type) => [type, { schema: anyJsonObject }]),
  );
  return {
    tags: ["Ingest"],
    ...(ABOUT[path] ?? { summary: `Events posted to ${path}` }),
    requestBody: { required: true, content },
    responses: {
      202: ok("Every event is in the queue (Redis); none will be lost", ingestAnswerSchema),
      ...errors(400, 401, 413, 415, 429, 503),
    },
  };
}

/**
 * The ingest routes, served ahead of Express (http/ingest-handler.ts), taken from the same table,
 * so a new source appears here with its media types. Ingest tokens are HOOKYARD_INGEST_TOKENS.
 */
export const ingestPaths: ZodOpenApiPathsObject = Object.fromEntries(
  INGEST_ROUTES.flatMap((route) => {
    const paths = route.tokenInPath ? [route.path, `${route.path}/{token}`] : [route.path];
    return paths.map((path) => [path, { post: ingestOperation(path, route.mediaTypes) }]);
  }),
);
