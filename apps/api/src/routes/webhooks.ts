import { lastDeliveries, listDeliveries, listWebhooks } from "@hookyard/db";
import { Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/api-error.js";
import { currentUser, requireUser } from "../http/authenticate.js";
import { deliveriesQuery, deliverySearch } from "../http/deliveries-query.js";
import { jsonBody } from "../http/json-body.js";
import { idCursor, pageFields } from "../http/paging.js";
import { badParamEncoding, pathId } from "../http/path-id.js";
import { parseInput } from "../http/validate.js";
import { endChainRunsOf } from "../services/chain-moves.js";
import { recover, redeliveryDeps } from "../services/redelivery.js";
import { rotateSecret } from "../services/secret-rotation.js";
import { previewWebhook } from "../services/webhook-preview.js";
import { testWebhook } from "../services/webhook-test.js";
import {
  changeWebhook,
  createWebhook,
  manageableWebhook,
  mayManage,
  mayReadHistory,
  presentWebhook,
  removeWebhook,
} from "../services/webhooks.js";

export const listQuery = z.object({
  repository: z.string().optional(),
  namespace: z.string().optional(),
  scope: z
    .enum(["repository", "namespace", "global"])
    .optional()
    .meta({ description: "only webhooks of this kind of scope (global: of no repository and no namespace)" }),
  ...pageFields(idCursor("webhook")),
});

export function webhookRoutes(deps: ApiDeps): Router {
  const { config, db, transport } = deps;
  const router = Router();
  router.use("/api/v1/webhooks", requireUser(deps), ...jsonBody("64kb"));

  router.post("/api/v1/webhooks", async (req, res) => {
    const webhook = await createWebhook(db, currentUser(req), req.body, config);
    res.status(201).json(presentWebhook(webhook));
  });

  router.get("/api/v1/webhooks", async (req, res) => {
    const user = currentUser(req);
    const { repository, namespace, scope, ...page } = parseInput(listQuery, req.query, "query");
    const webhooks = await listWebhooks(
      db,
      {
        repository,
        namespace,
        kind: scope,
        ...(user.admin ? {} : { visibleTo: { repositories: user.repositoryAdmin, namespaces: user.namespaceOwner } }),
      },
      page,
    );
    const visible = webhooks.items.filter((w) => mayManage(user, w));
    const last = await lastDeliveries(
      db,
      visible.map((w) => w.id),
    );
    res.json({
      items: visible.map((w) => ({ ...presentWebhook(w), lastDelivery: last.get(w.id) ?? null })),
      nextCursor: webhooks.nextCursor,
      total: webhooks.total,
      totalCapped: webhooks.totalCapped,
    });
  });

  // Before the /:id routes: "preview" is not a webhook's id.
  router.post("/api/v1/webhooks/preview", async (req, res) => {
    const previewDeps = { db, publicUrl: config.publicUrl, templateLimits: config.templateLimits };
    res.json(await previewWebhook(previewDeps, currentUser(req), req.body));
  });

  router.get("/api/v1/webhooks/:id", async (req, res) => {
    res.json(presentWebhook(await manageableWebhook(db, currentUser(req), pathId(req, "webhook"))));
  });

  router.patch("/api/v1/webhooks/:id", async (req, res) => {
    const user = currentUser(req);
    const webhook = await manageableWebhook(db, user, pathId(req, "webhook"));
    const changed = await changeWebhook(db, user, webhook, req.body ?? {}, config);
    if (!changed.enabled) await endChainRunsOf(deps, changed.id);
    res.json(presentWebhook(changed));
  });

  router.delete("/api/v1/webhooks/:id", async (req, res) => {
    const user = currentUser(req);
    const webhook = await manageableWebhook(db, user, pathId(req, "webhook"));
    await removeWebhook(db, user, webhook);
    await endChainRunsOf(deps, webhook.id);
    res.status(204).end();
  });

  router.post("/api/v1/webhooks/:id/test", async (req, res) => {
    const webhook = await manageableWebhook(db, currentUser(req), pathId(req, "webhook"));
    const callbacks = { publicUrl: config.publicUrl, ttlMs: config.callbackTtlMs };
    const testDeps = {
      db,
      transport,
      timeoutMs: config.deliveryTimeoutMs,
      callbacks,
      templateLimits: config.templateLimits,
    };
    res.json(await testWebhook(testDeps, webhook, req.body));
  });

  router.post("/api/v1/webhooks/:id/secret/rotate", async (req, res) => {
    const webhook = await manageableWebhook(db, currentUser(req), pathId(req, "webhook"));
    res.json(await rotateSecret(db, webhook, req.body));
  });

  router.post("/api/v1/webhooks/:id/recover", async (req, res) => {
    const webhook = await manageableWebhook(db, currentUser(req), pathId(req, "webhook"));
    res.status(202).json(await recover(redeliveryDeps(deps), webhook, req.body));
  });

  router.get("/api/v1/webhooks/:id/deliveries", async (req, res) => {
    const webhook = await db.webhook.findUnique({ where: { id: pathId(req, "webhook") } });
    if (!webhook || !mayReadHistory(currentUser(req), webhook)) throw notFound("webhook");
    const query = parseInput(deliveriesQuery, req.query, "query");
    res.json(await listDeliveries(db, webhook.id, deliverySearch(query)));
  });
  router.use(badParamEncoding(router));
  return router;
}
