import {
  parseDistributionEnvelope,
  parseHarborWebhook,
  parseNativeEvents,
  parseQuayNotification,
  parseZotEvent,
} from "@hookyard/core";
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
    path: "/api/v1/ingest/zot",
    // Structured mode, and binary mode's data content type (Zot's HTTP sink sends application/json).
    mediaTypes: ["application/cloudevents+json", "application/json"],
    parse: (body, contentType, headers) => parseZotEvent(body, contentType, headers),
  },
  {
    path: "/api/v1/ingest/quay",
    // Quay's webhook method posts JSON and can only call a bare URL: also /api/v1/ingest/quay/<token>.
    mediaTypes: ["application/json"],
    tokenInPath: true,
    parse: (body, _contentType, _headers, query) =>
      parseQuayNotification(body, new Date().toISOString(), query.get("event")),
  },
  {
    path: "/api/v1/events",
    mediaTypes: ["application/json"],
    parse: (body) => parseNativeEvents(body, new Date().toISOString()),
  },
];
