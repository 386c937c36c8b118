import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { deliveriesQuery } from "../../routes/webhooks.js";
import { idParam } from "../params.js";
import { AUTHENTICATED, errors, ok } from "../responses.js";
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
};
