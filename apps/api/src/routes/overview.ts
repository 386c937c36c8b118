import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { requireAdmin, requireUser } from "../http/authenticate.js";
import { parseInput } from "../http/validate.js";
import { overviewQuery, readOverview } from "../services/overview.js";

/** GET /api/v1/overview: how the whole system is doing (global admins only; the web UI's Overview page). */
export function overviewRoutes(deps: ApiDeps): Router {
  const { db, queues } = deps;
  const router = Router();
  router.get("/api/v1/overview", requireUser(deps), requireAdmin, async (req, res) => {
    const { window } = parseInput(overviewQuery, req.query, "query");
    res.json(await readOverview(db, queues, window));
  });
  return router;
}
