import { parseDistributionEnvelope, parseHarborWebhook, parseNativeEvents } from "@hookyard/core";
import express, { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { ApiError } from "../http/api-error.js";
import { requireIngestToken } from "../http/authenticate.js";
import { ingest } from "../services/ingest.js";

/** Largest envelope accepted; Distribution sends one to a few events of about 1 KiB each. */
export const INGEST_BODY_LIMIT = 1024 * 1024;

const DISTRIBUTION_TYPES = [
  "application/vnd.docker.distribution.events.v1+json",
  "application/vnd.docker.distribution.events.v2+json",
  "application/json",
];

/** 415 unless the body is one of `types`; then parses it as JSON whatever its media type says. */
const HARBOR_TYPES = ["application/json", "application/cloudevents+json"];
const NATIVE_TYPES = ["application/json"];

function jsonBody(types: string[]): express.RequestHandler {
  const parse = express.json({ type: () => true, limit: INGEST_BODY_LIMIT, strict: false });
  return (req, res, next) => {
    if (!req.is(types)) {
      throw new ApiError(415, "unsupported_media_type", `Content-Type must be one of ${types.join(", ")}`);
    }
    parse(req, res, next);
  };
}

export function ingestRoutes({ config, enqueuer }: ApiDeps): Router {
  const router = Router();
  router.post(
    "/api/v1/ingest/distribution",
    requireIngestToken(config.ingestTokens),
    jsonBody(DISTRIBUTION_TYPES),
    async (req, res) => {
      res.status(202).json(await ingest(enqueuer, parseDistributionEnvelope(req.body)));
    },
  );
  router.post(
    "/api/v1/ingest/harbor",
    requireIngestToken(config.ingestTokens),
    jsonBody(HARBOR_TYPES),
    async (req, res) => {
      res.status(202).json(await ingest(enqueuer, parseHarborWebhook(req.body, req.header("content-type") ?? "")));
    },
  );
  router.post("/api/v1/events", requireIngestToken(config.ingestTokens), jsonBody(NATIVE_TYPES), async (req, res) => {
    res.status(202).json(await ingest(enqueuer, parseNativeEvents(req.body, new Date().toISOString())));
  });
  return router;
}
