import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { deliveriesQuery } from "../../http/deliveries-query.js";
import { recoverBody } from "../../services/redelivery.js";
import { idParam } from "../params.js";
import { AUTHENTICATED, errors, json, ok } from "../responses.js";
import { deliveryPageSchema, deliverySchema } from "../schemas/deliveries.js";

const tags = ["Deliveries"];

/** A webhook's delivery history (routes/webhooks.ts) and one delivery (routes/deliveries.ts). */
export const deliveryPaths: ZodOpenApiPathsObject = {
  "/api/v1/webhooks/{id}/deliveries": {
    get: {
      operationId: "listDeliveries",
      tags,
      summary: "A webhook's deliveries, newest first",
      description: "A deleted webhook's history is visible to global admins only.",
      requestParams: {
        path: z.object({ id: idParam("webhook", "the webhook's id") }),
        query: deliveriesQuery,
      },
      responses: { 200: ok("One page of deliveries", deliveryPageSchema), ...errors(400, ...AUTHENTICATED, 404) },
    },
  },
  "/api/v1/deliveries/{id}": {
    get: {
      operationId: "getDelivery",
      tags,
      summary: "One delivery with every attempt",
      requestParams: { path: z.object({ id: idParam("delivery", "the delivery's id") }) },
      responses: { 200: ok("The delivery", deliverySchema), ...errors(...AUTHENTICATED, 404) },
    },
  },
  "/api/v1/deliveries/{id}/redeliver": {
    post: {
      operationId: "redeliver",
      tags,
      summary: "Send a delivery again",
      description:
        "A new series of attempts on the same delivery (the same webhook-id), with the whole retry schedule; " +
        "409 while it is still pending, for a test, or when its webhook is paused or disabled.",
      requestParams: { path: z.object({ id: idParam("delivery", "the delivery's id") }) },
      responses: {
        202: ok("Queued", z.object({ id: z.string(), status: z.literal("pending") }).meta({ id: "Redelivery" })),
        ...errors(...AUTHENTICATED, 404, 409),
      },
    },
  },
  "/api/v1/webhooks/{id}/recover": {
    post: {
      operationId: "recoverWebhook",
      tags,
      summary: "Send again what a webhook missed",
      description:
        "Every failed delivery of an event received in [since, until) is sent again, and every event of that " +
        "window the webhook would have taken while it was paused or disabled gets a delivery now (at most " +
        "10,000 per call). The webhook must be enabled (409 otherwise).",
      requestParams: { path: z.object({ id: idParam("webhook", "the webhook's id") }) },
      requestBody: { required: true, content: json(recoverBody.meta({ id: "RecoverRequest" })) },
      responses: {
        202: ok(
          "Queued",
          z
            .object({ count: z.int(), redelivered: z.int(), missed: z.int() })
            .meta({ id: "Recovery", description: "count = redelivered (failed ones) + missed (never sent)" }),
        ),
        ...errors(400, ...AUTHENTICATED, 404, 409, 415),
      },
    },
  },
};
