import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { BULL_BOARD_PATH } from "../../routes/bull-board.js";
import { errors, json, ok, WITH_BASIC } from "../responses.js";

const tags = ["Operations"];
const probe = z.string().meta({ description: '"ok", or "down: <why>"' });
const readiness = z
  .object({ status: z.enum(["ok", "unavailable"]), postgres: probe, redis: probe })
  .meta({ id: "Readiness" });

/** Health, metrics and Bull Board (routes/health.ts, metrics.ts, bull-board.ts). */
export const operationsPaths: ZodOpenApiPathsObject = {
  "/healthz": {
    get: {
      operationId: "healthz",
      tags,
      summary: "The process is alive",
      security: [],
      responses: { 200: ok("Alive", z.object({ status: z.literal("ok") })) },
    },
  },
  "/readyz": {
    get: {
      operationId: "readyz",
      tags,
      summary: "Postgres and Redis are reachable",
      security: [],
      responses: {
        200: ok("Ready", readiness),
        503: { description: "Postgres or Redis is not reachable", content: json(readiness) },
      },
    },
  },
  "/metrics": {
    get: {
      operationId: "metrics",
      tags,
      summary: "Prometheus metrics (global admins, or anyone with HOOKYARD_METRICS_PUBLIC)",
      description:
        "Events ingested and duplicates by source (`hookyard_events_ingested_total`, " +
        "`hookyard_events_duplicate_total`), queue depths by state (`hookyard_queue_jobs`; state=failed is " +
        "the dead letter), webhooks and callbacks by state, the reconciler's repairs " +
        "(`hookyard_reconciler_repaired_total`) and the API process's own metrics. Each worker serves its " +
        "delivery counters on its own port (HOOKYARD_WORKER_METRICS_PORT).",
      responses: {
        200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } },
        ...errors(401, 403, 429, 503),
      },
    },
  },
  [BULL_BOARD_PATH]: {
    get: {
      operationId: "bullBoard",
      tags,
      summary: "Bull Board: the queues in a browser (global admins)",
      description:
        "Basic auth in a browser: any user name, the API token as the password (the one route besides /api/v0 " +
        "that takes Basic).",
      security: WITH_BASIC,
      responses: {
        200: { description: "Bull Board's page", content: { "text/html": { schema: z.string() } } },
        ...errors(401, 403, 429),
      },
    },
  },
};
