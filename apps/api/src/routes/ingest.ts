import { parseDistributionEnvelope, parseHarborWebhook, parseNativeEvents } from "@hookyard/core";
import type { IngestRoute } from "../http/ingest-handler.js";

export const INGEST_ROUTES: readonly IngestRoute[] = [
  {
    path: "/api/v1/ingest/distribution",
    mediaTypes: [
      "application/vnd.docker.distribution.events.v1+json",
      "application/vnd.docker.distribution.events.v2+json",
      "application/json",
    ],
    parse: (body) => parseDistributionEnvelope(body),
  },
  {
    path: "/api/v1/ingest/harbor",
    mediaTypes: ["application/json", "application/cloudevents+json"],
    parse: (body, contentType) => parseHarborWebhook(body, contentType),
  },
  {
    path: "/api/v1/events",
    mediaTypes: ["application/json"],
    parse: (body) => parseNativeEvents(body, new Date().toISOString()),
  },
];
