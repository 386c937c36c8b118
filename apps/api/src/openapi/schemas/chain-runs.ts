import { CHAIN_RUN_STATES, CHAIN_STEP_STATES, EVENT_TYPES } from "@hookyard/core";
import { z } from "zod";
import { countedPageOf, nullableTimestamp, timestamp } from "./common.js";
import { deliveryCallbackSchema } from "./deliveries.js";

const stepSchema = z.object({
  position: z.int().min(1),
  webhookId: z.string(),
  state: z.enum(CHAIN_STEP_STATES).meta({
    description:
      "waiting (its turn has not come), delivering (being sent or retried), awaiting_callback (delivered, no callback yet), " +
      "success / failure / error (its callback), failed or canceled (its delivery's end), expired (no callback in time), " +
      "abandoned (delivered, but the run ended otherwise first), skipped (the run ended before its turn)",
  }),
  startedAt: nullableTimestamp.meta({ description: "when its delivery was made; null until its turn" }),
  delivery: z
    .object({
      id: z.string(),
      status: z.enum(["pending", "succeeded", "failed", "canceled"]),
      attempts: z.int(),
      lastStatusCode: z.int().nullable(),
      completedAt: nullableTimestamp,
    })
    .nullable()
    .meta({ description: "its delivery's summary (GET /api/v1/deliveries/{id} has every attempt)" }),
  callback: deliveryCallbackSchema
    .nullable()
    .meta({ description: "what its receiver called back, and until when it may (never the callback_url)" }),
});

/** getChainRun's answer (db stores/chain-runs.ts). */
export const chainRunSchema = z
  .object({
    id: z.string().meta({ example: "run_01k9xq2c3r4s5t6v7w8x9y0z1a" }),
    chainId: z.string(),
    chainName: z.string(),
    repository: z.string(),
    eventId: z.string(),
    eventType: z.enum(EVENT_TYPES),
    tag: z.string().nullable(),
    state: z.enum(CHAIN_RUN_STATES),
    currentStep: z.int().min(1).meta({ description: "the step under way, or the one at which the run ended" }),
    reason: z.string().nullable().meta({ description: "why the run was interrupted or expired" }),
    createdAt: timestamp,
    endedAt: nullableTimestamp,
    steps: z.array(stepSchema),
  })
  .meta({ id: "ChainRun" });

export const chainRunPageSchema = countedPageOf(chainRunSchema).meta({ id: "ChainRunPage" });
