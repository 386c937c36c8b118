import { CALLBACK_PATH, CALLBACK_STATES, CALLBACK_TOKEN_SHAPE, CHAIN_RUN_STATES } from "@hookyard/core";
import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { callbackBody } from "../../services/callbacks.js";
import { errors, json, ok } from "../responses.js";
import { timestamp } from "../schemas/common.js";

const tags = ["Callbacks"];

export const callbackRequestSchema = callbackBody.meta({ id: "CallbackRequest" });

export const callbackResultSchema = z
  .object({
    state: z.enum(CALLBACK_STATES),
    deliveryId: z.string(),
    receivedAt: timestamp,
    chainRun: z
      .object({ id: z.string(), state: z.enum(CHAIN_RUN_STATES), currentStep: z.int().min(1) })
      .optional()
      .meta({ description: "for a step of a chain run: where the run went" }),
  })
  .meta({ id: "CallbackResult" });

/** POST <callback_url> (routes/callbacks.ts). */
export const callbackPaths: ZodOpenApiPathsObject = {
  [`${CALLBACK_PATH}/{token}`]: {
    post: {
      operationId: "validateCallback",
      tags,
      summary: "Answer a dockerhub delivery (Docker Hub's callback_url)",
      description:
        "No bearer token: the URL's token is the secret, as in the `callback_url` the delivery carried. " +
        "Every attempt of a delivery carries a URL of its own, and each leads to the delivery's one callback, " +
        "validated once (409 after). A URL expires HOOKYARD_CALLBACK_TTL after the delivery's first send (410). " +
        "The answer is recorded on the delivery (`GET /api/v1/deliveries/{id}`, `callback`). For a step of a " +
        "chain run, `success` delivers the next step (or completes the run) and `failure` or `error` interrupts " +
        "the run; 409 once the run is no longer running.",
      security: [],
      requestParams: {
        path: z.object({
          token: z.string().regex(CALLBACK_TOKEN_SHAPE).meta({ description: "the last segment of the callback_url" }),
        }),
      },
      requestBody: { required: true, content: json(callbackRequestSchema) },
      responses: {
        200: ok("Validated and recorded", callbackResultSchema),
        ...errors(400, 404, 409, 410, 413, 415, 503),
      },
    },
  },
};
