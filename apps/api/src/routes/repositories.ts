import { listRepositories } from "@hookyard/db";
import { Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { currentUser, requireUser } from "../http/authenticate.js";
import { parseInput } from "../http/validate.js";

export const repositoriesQuery = z.object({
  search: z.string().max(255).default(""),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

/** GET /api/v1/repositories: where the web UI starts, the repositories the caller may administer. */
export function repositoryRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();
  router.get("/api/v1/repositories", requireUser(deps), async (req, res) => {
    const user = currentUser(req);
    const query = parseInput(repositoriesQuery, req.query, "query");
    const items = await listRepositories(db, {
      admin: user.admin,
      repositories: user.repositoryAdmin,
      namespaces: user.namespaceOwner,
      ...query,
    });
    res.json({ items });
  });
  return router;
}
