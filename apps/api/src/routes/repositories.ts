import { listRepositories } from "@hookyard/db";
import { Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { currentUser, requireUser } from "../http/authenticate.js";
import { keyCursor, pageFields } from "../http/paging.js";
import { parseInput } from "../http/validate.js";

export const repositoriesQuery = z.object({
  search: z.string().max(255).default(""),
  // By name: the cursor is the last name of the page before.
  ...pageFields(keyCursor(255), { max: 200, byDefault: 100 }),
});

/** GET /api/v1/repositories: where the web UI starts, the repositories the caller may administer. */
export function repositoryRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();
  router.get("/api/v1/repositories", requireUser(deps), async (req, res) => {
    const user = currentUser(req);
    const { search, ...page } = parseInput(repositoriesQuery, req.query, "query");
    const options = { admin: user.admin, repositories: user.repositoryAdmin, namespaces: user.namespaceOwner, search };
    res.json(await listRepositories(db, options, page));
  });
  return router;
}
