import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { chainRunsQuery } from "../../routes/chain-runs.js";
import { idParam } from "../params.js";
import { AUTHENTICATED, errors, ok } from "../responses.js";
import { chainRunPageSchema, chainRunSchema } from "../schemas/chain-runs.js";

const tags = ["Chains"];

/** A chain's runs and one run (routes/chain-runs.ts). */
export const chainRunPaths: ZodOpenApiPathsObject = {
  "/api/v1/chains/{id}/runs": {
    get: {
      operationId: "listChainRuns",
      tags,
      summary: "A chain's runs, newest first, each step by step",
      requestParams: {
        path: z.object({ id: idParam("chain", "the chain's id") }),
        query: chainRunsQuery,
      },
      responses: { 200: ok("A page of runs", chainRunPageSchema), ...errors(400, ...AUTHENTICATED, 404) },
    },
  },
  "/api/v1/chain-runs/{id}": {
    get: {
      operationId: "getChainRun",
      tags,
      summary: "One run: every step with its delivery, attempts summary and callback",
      requestParams: { path: z.object({ id: idParam("chainRun", "the run's id") }) },
      responses: { 200: ok("The run", chainRunSchema), ...errors(...AUTHENTICATED, 404) },
    },
  },
};
