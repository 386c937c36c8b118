import { CHAIN_RUN_STATES, splitRepositoryName } from "@hookyard/core";
import { type AuthenticatedUser, chainRunRepository, type Db, getChainRun, listChainRuns } from "@hookyard/db";
import { Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/api-error.js";
import { currentUser, requireUser } from "../http/authenticate.js";
import { idCursor, pageFields } from "../http/paging.js";
import { badParamEncoding, pathId } from "../http/path-id.js";
import { parseInput } from "../http/validate.js";
import { mayManage } from "../services/webhooks.js";

export const chainRunsQuery = z.object({
  state: z.enum(CHAIN_RUN_STATES).optional(),
  ...pageFields(idCursor("chainRun")),
});

/** Chains are seen by whoever may manage the webhooks of their repository; others are told nothing exists. */
function mayReadChainOf(user: AuthenticatedUser, repository: string | null): boolean {
  if (repository === null) return false;
  return mayManage(user, { repository, namespace: splitRepositoryName(repository).namespace });
}

async function chainRepository(db: Db, chainId: string): Promise<string | null> {
  const chain = await db.chain.findUnique({ where: { id: chainId }, select: { repository: true } });
  return chain?.repository ?? null;
}

/** A chain's runs, and one run step by step (contract: "Callback chains"). */
export function chainRunRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use(["/api/v1/chains", "/api/v1/chain-runs"], requireUser(deps));

  router.get("/api/v1/chains/:id/runs", async (req, res) => {
    const chainId = pathId(req, "chain");
    if (!mayReadChainOf(currentUser(req), await chainRepository(db, chainId))) throw notFound("chain");
    res.json(await listChainRuns(db, chainId, parseInput(chainRunsQuery, req.query, "query")));
  });

  router.get("/api/v1/chain-runs/:id", async (req, res) => {
    const runId = pathId(req, "chainRun");
    const notFoundRun = notFound("chain run");
    if (!mayReadChainOf(currentUser(req), await chainRunRepository(db, runId))) throw notFoundRun;
    const run = await getChainRun(db, runId);
    if (!run) throw notFoundRun;
    res.json(run);
  });
  router.use(badParamEncoding(router));
  return router;
}
