import {
  CALLBACK_LIMITS,
  CALLBACK_STATES,
  type CallbackStateName,
  callbackTokenHash,
  isCallbackTokenShape,
} from "@hookyard/core";
import { type Db, recordCallback } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { Queues } from "@hookyard/queues";
import { z } from "zod";
import { ApiError, notFound } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";
import { chainRunMoves, noteChainMove } from "./chain-moves.js";

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
  /** Where the chain run of this step went, for a step of one. */
  chainRun?: { id: string; state: string; currentStep: number };
}

export interface CallbackDeps {
  db: Db;
  queues: Queues;
  logger: Logger;
}

/**
 * POST <callback_url>: the body is checked first (400 naming the field; nothing is looked up or
 * changed), then the URL's token: 404 unknown, 409 when the delivery's callback was validated
 * already or its chain run is no longer running, 410 once it has expired; otherwise it is recorded
 * on the delivery, and a chain run moves on (the next step is queued), completes or is interrupted.
 */
export async function receiveCallback(deps: CallbackDeps, token: string, body: unknown): Promise<CallbackAnswer> {
  const { db } = deps;
  const input = parseInput(callbackBody, body);
  if (!isCallbackTokenShape(token)) throw notFound("callback");
  const outcome = await recordCallback(db, callbackTokenHash(token), {
    state: input.state,
    description: input.description ?? null,
    context: input.context ?? null,
    targetUrl: input.target_url ?? null,
  });
  switch (outcome.kind) {
    case "recorded": {
      const answer: CallbackAnswer = {
        state: input.state,
        deliveryId: outcome.deliveryId,
        receivedAt: outcome.receivedAt,
      };
      if (!outcome.chain) return answer;
      await noteChainMove(deps, outcome.chain);
      return {
        ...answer,
        chainRun: { id: outcome.chain.runId, state: outcome.chain.state, currentStep: outcome.chain.position },
      };
    }
    case "run-ended":
      if (outcome.endedNow) {
        chainRunMoves.inc({ state: "expired" });
        deps.logger.info("chain run expired", { runId: outcome.runId });
      }
      throw new ApiError(
        409,
        "conflict",
        `this step's chain run ${outcome.runId} is ${outcome.state}, no longer running`,
      );
    case "unknown":
      throw notFound("callback");
    case "already-validated":
      throw new ApiError(409, "conflict", "this delivery's callback was validated already");
    case "expired":
      throw new ApiError(410, "gone", `this callback_url expired at ${outcome.expiresAt.toISOString()}`);
  }
}
