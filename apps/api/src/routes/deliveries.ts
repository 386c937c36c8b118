import { nextAttempt } from "@hookyard/core";
import { getDeliveryWithAttempts } from "@hookyard/db";
import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/api-error.js";
import { currentUser, requireUser } from "../http/authenticate.js";
import { jsonBody } from "../http/json-body.js";
import { badParamEncoding, pathId } from "../http/path-id.js";
import { redeliver, redeliveryDeps } from "../services/redelivery.js";
import { mayReadHistory } from "../services/webhooks.js";

export function deliveryRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();
  router.use("/api/v1/deliveries", requireUser(deps), ...jsonBody("1kb"));

  router.post("/api/v1/deliveries/:id/redeliver", async (req, res) => {
    res.status(202).json(await redeliver(redeliveryDeps(deps), currentUser(req), pathId(req, "delivery")));
  });

  router.get("/api/v1/deliveries/:id", async (req, res) => {
    const delivery = await getDeliveryWithAttempts(db, pathId(req, "delivery"));
    if (!delivery) throw notFound("delivery");
    const webhook = await db.webhook.findUnique({ where: { id: delivery.webhookId } });
    if (!webhook || !mayReadHistory(currentUser(req), webhook)) throw notFound("delivery");
    const last = delivery.attempts.at(-1);
    const outlook = nextAttempt(deps.config.retrySchedule, {
      ...delivery,
      lastAttempt: last && last.n > delivery.seriesStart ? last : null,
    });
    res.json({
      id: delivery.id,
      webhookId: delivery.webhookId,
      eventId: delivery.eventId,
      eventType: delivery.event.type,
      repository: delivery.event.repository,
      tag: delivery.event.tag,
      digest: delivery.event.digest,
      actor: delivery.event.actor,
      status: delivery.status,
      attemptCount: delivery.attemptCount,
      lastStatusCode: delivery.lastStatusCode,
      createdAt: delivery.createdAt,
      completedAt: delivery.completedAt,
      test: delivery.test,
      nextAttemptAt: outlook.nextAttemptAt,
      attemptsLeft: outlook.attemptsLeft,
      attempts: delivery.attempts.map((a) => ({
        n: a.n,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
        statusCode: a.statusCode,
        error: a.error,
        requestHeaders: a.requestHeaders,
        requestBody: a.requestBody,
        responseHeaders: a.responseHeaders,
        responseBody: a.responseBody,
        trimmedAt: a.trimmedAt,
      })),
      // dockerhub deliveries: what the receiver said at its callback_url (state null until it does).
      callback: delivery.callback && {
        state: delivery.callback.state,
        description: delivery.callback.description,
        context: delivery.callback.context,
        targetUrl: delivery.callback.targetUrl,
        receivedAt: delivery.callback.receivedAt,
        expiresAt: delivery.callback.expiresAt,
      },
    });
  });
  router.use(badParamEncoding(router));
  return router;
}
