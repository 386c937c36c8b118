import { CALLBACK_PATH } from "@hookyard/core";
import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { jsonBody } from "../http/json-body.js";
import { badParamEncoding } from "../http/path-id.js";
import { receiveCallback } from "../services/callbacks.js";

/**
 * POST <callback_url>: Docker Hub's callback, with no bearer token (the URL's token is the secret).
 * The token is never logged: request-context.ts masks it in the access log.
 */
export function callbackRoutes(deps: ApiDeps): Router {
  const { db, queues, logger } = deps;
  const router = Router();
  // A callback is four short fields.
  router.use(CALLBACK_PATH, ...jsonBody("4kb"));

  router.post(`${CALLBACK_PATH}/:token`, async (req, res) => {
    const token = String(req.params.token);
    res.json(await receiveCallback({ db, queues, logger }, token, req.body));
  });
  router.use(badParamEncoding(router));
  return router;
}
