import { EVENT_TYPES } from "@hookyard/core";
import { z } from "zod";
import { countedPageOf, timestamp } from "./common.js";

const webhookId = z.string().meta({ example: "wh_01k9xq2c3r4s5t6v7w8x9y0z1a" });

/** presentChain's answer (services/chains.ts). */
export const chainSchema = z
  .object({
    id: z.string().meta({ example: "chn_01k9xq2c3r4s5t6v7w8x9y0z1a" }),
    name: z.string(),
    repository: z.string().meta({ description: '"ns/repo": the repository whose events start a run' }),
    events: z.array(z.enum(EVENT_TYPES)).meta({ description: "the types that start a run, globs expanded" }),
    webhooks: z.array(webhookId).meta({ description: "the webhooks' ids in run order" }),
    steps: z
      .array(
        z.object({
          position: z.int().min(1).meta({ description: "1 for the first webhook of a run, and so on" }),
          webhookId,
          name: z.string(),
          enabled: z.boolean(),
          disabledReason: z.string().nullable(),
        }),
      )
      .meta({ description: "the webhooks in run order, as a run starting now would take them" }),
    authorId: z.string().nullable().meta({ description: "null once its author was deleted" }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: "Chain" });

export const chainListSchema = countedPageOf(chainSchema).meta({ id: "ChainList" });
