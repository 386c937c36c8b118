import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { chainListQuery } from "../../routes/chains.js";
import { createChainBody, updateChainBody } from "../../services/chains.js";
import { idParam } from "../params.js";
import { AUTHENTICATED, errors, json, noContent, ok } from "../responses.js";
import { chainListSchema, chainSchema } from "../schemas/chains.js";

const tags = ["Chains"];
const chainPath = z.object({ id: idParam("chain", "the chain's id") });

// The PATCH schema names the repository only to refuse it with a clear message; a client must not
// take it for a changeable field.
const updateRequest = updateChainBody.omit({ repository: true });

const WEBHOOK_RULES =
  "`webhooks`: 1 to 10 ids, each once, of live `dockerhub` webhooks of the chain's repository that the " +
  "caller may manage (400 naming `webhooks[i]`); 409 when one is in another chain already (a webhook " +
  "may be in one chain only). Disabled webhooks may be chained.";

/** /api/v1/chains (routes/chains.ts). */
export const chainPaths: ZodOpenApiPathsObject = {
  "/api/v1/chains": {
    post: {
      operationId: "createChain",
      tags,
      summary: "Chain webhooks of a repository, run one after the other (Docker Hub callback chains)",
      description:
        "A matching event of the repository starts a run: step 1 is delivered, and each next step once the " +
        "step before called back `success`. `events` expands like a webhook's, to types of a repository that " +
        `a dockerhub webhook carries (TAG_PUSH). ${WEBHOOK_RULES} 403 when the caller may not manage the ` +
        "repository's webhooks.",
      requestBody: { required: true, content: json(createChainBody.meta({ id: "CreateChainRequest" })) },
      responses: {
        201: ok("The chain", chainSchema),
        ...errors(400, ...AUTHENTICATED, 403, 409, 413, 415),
      },
    },
    get: {
      operationId: "listChains",
      tags,
      summary: "The chains the caller may manage, newest first",
      requestParams: { query: chainListQuery },
      responses: { 200: ok("A page of chains", chainListSchema), ...errors(400, ...AUTHENTICATED) },
    },
  },
  "/api/v1/chains/{id}": {
    get: {
      operationId: "getChain",
      tags,
      summary: "One chain",
      requestParams: { path: chainPath },
      responses: { 200: ok("The chain", chainSchema), ...errors(...AUTHENTICATED, 404) },
    },
    patch: {
      operationId: "updateChain",
      tags,
      summary: "Rename a chain, or change its events or webhooks",
      description:
        `Any of the fields, checked as on creation. ${WEBHOOK_RULES} Runs already started keep their steps. ` +
        "The repository cannot change (400).",
      requestParams: { path: chainPath },
      requestBody: { content: json(updateRequest.meta({ id: "UpdateChainRequest" })) },
      responses: {
        200: ok("The chain as changed", chainSchema),
        ...errors(400, ...AUTHENTICATED, 404, 409, 413, 415),
      },
    },
    delete: {
      operationId: "deleteChain",
      tags,
      summary: "Delete a chain and its runs",
      description: "The pending deliveries of its runs' steps are canceled; its webhooks stay.",
      requestParams: { path: chainPath },
      responses: { 204: noContent, ...errors(...AUTHENTICATED, 404) },
    },
  },
};
