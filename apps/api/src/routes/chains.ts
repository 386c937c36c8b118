import { listChains } from "@hookyard/db";
import { Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { currentUser, requireUser } from "../http/authenticate.js";
import { jsonBody } from "../http/json-body.js";
import { idCursor, pageFields } from "../http/paging.js";
import { badParamEncoding, pathId } from "../http/path-id.js";
import { parseInput } from "../http/validate.js";
import {
  changeChain,
  createChain,
  manageableChain,
  mayManageChain,
  presentChain,
  removeChain,
} from "../services/chains.js";

export const chainListQuery = z.object({ repository: z.string().optional(), ...pageFields(idCursor("chain")) });

export function chainRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use("/api/v1/chains", requireUser(deps), ...jsonBody("16kb"));

  router.post("/api/v1/chains", async (req, res) => {
    res.status(201).json(presentChain(await createChain(db, currentUser(req), req.body)));
  });

  router.get("/api/v1/chains", async (req, res) => {
    const user = currentUser(req);
    const { repository, ...page } = parseInput(chainListQuery, req.query, "query");
    const chains = await listChains(
      db,
      {
        repository,
        ...(user.admin ? {} : { visibleTo: { repositories: user.repositoryAdmin, namespaces: user.namespaceOwner } }),
      },
      page,
    );
    res.json({
      items: chains.items.filter((chain) => mayManageChain(user, chain)).map(presentChain),
      nextCursor: chains.nextCursor,
      total: chains.total,
      totalCapped: chains.totalCapped,
    });
  });

  router.get("/api/v1/chains/:id", async (req, res) => {
    res.json(presentChain(await manageableChain(db, currentUser(req), pathId(req, "chain"))));
  });

  router.patch("/api/v1/chains/:id", async (req, res) => {
    const user = currentUser(req);
    const chain = await manageableChain(db, user, pathId(req, "chain"));
    res.json(presentChain(await changeChain(db, user, chain, req.body ?? {})));
  });

  router.delete("/api/v1/chains/:id", async (req, res) => {
    await removeChain(db, await manageableChain(db, currentUser(req), pathId(req, "chain")));
    res.status(204).end();
  });
  router.use(badParamEncoding(router));
  return router;
}
