import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { MAX_PENDING_COUNTED, overviewQuery } from "../../services/overview.js";
import { AUTHENTICATED, errors, ok } from "../responses.js";
import { timestamp } from "../schemas/common.js";

const count = z.int().min(0);
const scope = {
  repository: z.string().nullable().meta({ description: "its repository, for a repository's webhook" }),
  namespace: z
    .string()
    .nullable()
    .meta({ description: "its namespace; null (and no repository) for a global webhook" }),
};

/** services/overview.ts readOverview. */
const overviewSchema = z
  .object({
    window: z.string().meta({ description: 'the window, as asked for (default "1h")' }),
    since: timestamp.meta({ description: "the start of the window" }),
    until: timestamp.meta({ description: "when the figures were read" }),
    bucketMinutes: z.int().min(1).meta({ description: "the width of each bucket: 1 up to a 2h window, wider beyond" }),
    buckets: z
      .array(
        z.object({
          start: timestamp.meta({ description: "the bucket's start (whole minutes)" }),
          succeeded: count,
          failed: count,
          canceled: count,
        }),
      )
      .meta({ description: "deliveries finished in each bucket by outcome, oldest first, empty buckets included" }),
    totals: z.object({ succeeded: count, failed: count, canceled: count }),
    failureRate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .meta({ description: "failed / (succeeded + failed) over the window; null when none finished" }),
    pending: z
      .object({
        total: count.meta({ description: "deliveries not finished now" }),
        retrying: count.meta({ description: "of which at least one attempt failed" }),
        more: z.boolean().meta({
          description: `true when more than ${MAX_PENDING_COUNTED.toLocaleString("en")} are pending: total stops there`,
        }),
      })
      .meta({ description: "now, whatever the window" }),
    slowestWebhooks: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          ...scope,
          attempts: count.meta({ description: "attempts in the window" }),
          meanMs: count.meta({ description: "their mean duration" }),
          p95Ms: count.meta({ description: "their 95th percentile duration" }),
        }),
      )
      .meta({ description: "at most 5, slowest p95 first, from the attempts of the window's finished deliveries" }),
    disabledWebhooks: z.object({
      total: count.meta({ description: "disabled webhooks (not deleted)" }),
      items: z
        .array(
          z.object({
            id: z.string(),
            name: z.string(),
            ...scope,
            reason: z.string().nullable().meta({
              description:
                'why it was disabled ("paused by alice", "the receiver answered 410 Gone at ..."); null when it was created paused',
            }),
            since: timestamp.meta({ description: "its last change: when it was disabled unless edited since" }),
          }),
        )
        .meta({ description: "the 50 changed last" }),
    }),
    queues: z
      .array(
        z.object({
          queue: z.string().meta({ description: "events, deliveries, deliveries-1, ..." }),
          waiting: count,
          prioritized: count,
          active: count,
          delayed: count,
          failed: count.meta({ description: "the dead letter: jobs that will not be tried again" }),
        }),
      )
      .meta({ description: "jobs in each queue by state, as hookyard_queue_jobs in /metrics" }),
  })
  .meta({ id: "Overview" });

/** /api/v1/overview (routes/overview.ts): the admin overview. */
export const overviewPaths: ZodOpenApiPathsObject = {
  "/api/v1/overview": {
    get: {
      operationId: "getOverview",
      tags: ["Operations"],
      summary: "How Hookyard is doing: deliveries by outcome, failure rate, slowest and disabled webhooks, queues",
      description:
        "Global admins only. Deliveries that finished in the window (test sends left out), by outcome per " +
        "bucket; what is pending now; the webhooks whose attempts took longest; the disabled webhooks; and " +
        "every queue's jobs by state. The web UI's Overview page draws it.",
      requestParams: { query: overviewQuery },
      responses: { 200: ok("The overview", overviewSchema), ...errors(400, ...AUTHENTICATED, 403) },
    },
  },
};
