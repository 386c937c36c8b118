import {
  CALLBACK_LIMITS,
  CALLBACK_STATES,
  type CallbackStateName,
  callbackTokenHash,
  isCallbackTokenShape,
} from "@hookyard/core";
import { type Db, recordCallback } from "@hookyard/db";
import { z } from "zod";
import { ApiError, notFound } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";

/** Docker Hub's callback body (contract: "Callback chains"); anything else is refused, not dropped. */
export const callbackBody = z.strictObject({
  state: z.enum(CALLBACK_STATES, {
    error: (issue) => `${issue.input === undefined ? "is required: " : "must be "}one of ${CALLBACK_STATES.join(", ")}`,
  }),
  description: z.string().max(CALLBACK_LIMITS.description).optional(),
  context: z.string().max(CALLBACK_LIMITS.context).optional(),
  target_url: z
    .url({ protocol: /^https?$/, error: "must be an http or https URL" })
    .max(CALLBACK_LIMITS.targetUrl)
    .optional(),
});

/** The answer to a callback that was recorded. */
export interface CallbackAnswer {
  state: CallbackStateName;
  deliveryId: string;
  receivedAt: Date;
}

/**
 * POST <callback_url>: the body is checked first (400 naming the field; nothing is looked up or
 * changed), then the URL's token: 404 unknown, 409 when the delivery's callback was validated
 * already, 410 once it has expired; otherwise it is recorded on the delivery.
 */
export async function receiveCallback(db: Db, token: string, body: unknown): Promise<CallbackAnswer> {
  const input = parseInput(callbackBody, body);
  if (!isCallbackTokenShape(token)) throw notFound("callback");
  const outcome = await recordCallback(db, callbackTokenHash(token), {
    state: input.state,
    description: input.description ?? null,
    context: input.context ?? null,
    targetUrl: input.target_url ?? null,
  });
  switch (outcome.kind) {
    case "recorded":
      return { state: input.state, deliveryId: outcome.deliveryId, receivedAt: outcome.receivedAt };
    case "unknown":
      throw notFound("callback");
    case "already-validated":
      throw new ApiError(409, "conflict", "this delivery's callback was validated already");
    case "expired":
      throw new ApiError(410, "gone", `this callback_url expired at ${outcome.expiresAt.toISOString()}`);
  }
}
