import { Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { currentUser, requireAdmin, requireUser } from "../http/authenticate.js";
import { jsonBody } from "../http/json-body.js";
import { keyCursor, pageFields } from "../http/paging.js";
import { parseInput } from "../http/validate.js";
import { changeWebhookLimit, webhookLimits } from "../services/webhook-limits.js";

// By scope key ("global", "namespace:ns", "repository:ns/repo"): the cursor is the last of the page before.
export const webhookLimitsQuery = z.object(pageFields(keyCursor(300)));

/** How many webhooks each scope may hold: HOOKYARD_MAX_WEBHOOKS_PER_SCOPE, and the scopes a global admin set otherwise. */
export function limitRoutes(deps: ApiDeps): Router {
  const { config, db } = deps;
  const router = Router();
  router.use("/api/v1/limits", requireUser(deps), requireAdmin, ...jsonBody("1kb"));

  router.get("/api/v1/limits/webhooks", async (req, res) => {
    const page = parseInput(webhookLimitsQuery, req.query, "query");
    res.json(await webhookLimits(db, page, config.maxWebhooksPerScope));
  });

  router.put("/api/v1/limits/webhooks", async (req, res) => {
    res.json(await changeWebhookLimit(db, currentUser(req), req.body, config.maxWebhooksPerScope));
  });
  return router;
}
