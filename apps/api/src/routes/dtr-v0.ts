import { maySubscribeToType } from "@hookyard/core";
import { type Db, listWebhooks, readAllPages, type WebhookFilter } from "@hookyard/db";
import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { forbidden } from "../http/api-error.js";
import { currentUser, requireUser } from "../http/authenticate.js";
import { jsonBody } from "../http/json-body.js";
import { badParamEncoding, pathId } from "../http/path-id.js";
import { parseInput } from "../http/validate.js";
import { endChainRunsOf } from "../services/chain-moves.js";
import {
  asV0,
  dtrTestBody,
  dtrWebhookBody,
  presentDtrWebhook,
  repositoryPathScope,
  v1WebhookBody,
} from "../services/dtr-v0.js";
import { assertAllowedTarget } from "../services/target-check.js";
import { testEndpoint } from "../services/webhook-test.js";
import { createWebhook, manageableWebhook, mayManage, removeWebhook } from "../services/webhooks.js";

/** DTR's lists are whole arrays: every page of the list, read to its end (a scope's webhooks are
 * bounded by HOOKYARD_MAX_WEBHOOKS_PER_SCOPE). */
function everyWebhook(db: Db, filter: WebhookFilter) {
  return readAllPages((page) => listWebhooks(db, filter, page));
}

/** DTR's webhook API, for the scripts written against it (`curl -u user:token` works: Basic auth). */
export function dtrV0Routes(deps: ApiDeps): Router {
  const { config, db, transport } = deps;
  const router = Router();
  router.use("/api/v0", requireUser(deps, { basic: true }), ...jsonBody("96kb"));

  router.post("/api/v0/webhooks", async (req, res) => {
    const input = parseInput(dtrWebhookBody, req.body);
    const webhook = await asV0(() => createWebhook(db, currentUser(req), v1WebhookBody(input), config));
    res.status(201).json(presentDtrWebhook(webhook));
  });

  // DTR: a user sees the subscriptions they made; a global admin sees all.
  router.get("/api/v0/webhooks", async (req, res) => {
    const user = currentUser(req);
    const webhooks = await everyWebhook(db, user.admin ? {} : { authorId: user.userId });
    res.json(webhooks.filter((w) => mayManage(user, w)).map(presentDtrWebhook));
  });

  router.delete("/api/v0/webhooks/:id", async (req, res) => {
    const user = currentUser(req);
    const webhook = await manageableWebhook(db, user, pathId(req, "webhook"));
    await removeWebhook(db, user, webhook);
    await endChainRunsOf(deps, webhook.id);
    res.status(204).end();
  });

  router.post("/api/v0/webhooks/test", async (req, res) => {
    const user = currentUser(req);
    const input = parseInput(dtrTestBody, req.body);
    if (!maySubscribeToType(user, input.type)) throw forbidden(`you may not subscribe to ${input.type} anywhere`);
    await asV0(() => assertAllowedTarget(input.endpoint, config.allowPrivateTargets));
    const sent = await testEndpoint({ transport, timeoutMs: config.deliveryTimeoutMs }, input.type, input.endpoint);
    res.json({
      statusCode: sent.statusCode,
      durationMs: sent.durationMs,
      error: sent.error,
      responseBody: sent.responseBody,
    });
  });

  // DTR's repositories are "ns/repo": one segment each.
  router.get("/api/v0/repositories/:ns/webhooks", async (req, res) => {
    const scope = repositoryPathScope(currentUser(req), [req.params.ns as string]);
    res.json((await everyWebhook(db, { namespace: scope.namespace, repository: null })).map(presentDtrWebhook));
  });

  router.get("/api/v0/repositories/:ns/:repo/webhooks", async (req, res) => {
    const scope = repositoryPathScope(currentUser(req), [req.params.ns as string, req.params.repo as string]);
    res.json((await everyWebhook(db, { repository: scope.repository })).map(presentDtrWebhook));
  });
  router.use(badParamEncoding(router));
  return router;
}
