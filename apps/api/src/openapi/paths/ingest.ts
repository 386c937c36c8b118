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

// The bodies belong to the registries that send them and are read by the source parsers of
// packages/core/src/sources; they are described here, not restated field by field.
const ABOUT: Record<string, Pick<ZodOpenApiOperationObject, "operationId" | "summary" | "description">> = {
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
      ...errors(400, 401, 413, 415, 503),
    },
  };
}

/**
 * The ingest routes, served ahead of Express (http/ingest-handler.ts), taken from the same table,
 * so a new source appears here with its media types. Ingest tokens are HOOKYARD_INGEST_TOKENS.
 */
export const ingestPaths: ZodOpenApiPathsObject = Object.fromEntries(
  INGEST_ROUTES.map((route) => [route.path, { post: ingestOperation(route.path, route.mediaTypes) }]),
);
