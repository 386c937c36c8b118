import type { RegistryEvent } from "@hookyard/core";
import { Counter } from "prom-client";

/**
 * Ingest's counters, for the whole process (routes/metrics.ts serves them). They live here, not in
 * a registry of their own, because ingest runs ahead of Express (http/ingest-handler.ts).
 */
export const eventsIngested = new Counter({
  name: "hookyard_events_ingested_total",
  help: "Events accepted and queued for fan-out (the 202 answer's accepted), by source and event type",
  labelNames: ["source", "type"],
  registers: [],
});

export const eventsDuplicate = new Counter({
  name: "hookyard_events_duplicate_total",
  help: "Events answered 202 as duplicates (the 202 answer's duplicates): already queued, not queued again",
  labelNames: ["source"],
  registers: [],
});

export const ingestRefused = new Counter({
  name: "hookyard_ingest_refused_total",
  help: "Ingest requests answered 503, for the registry to send again: reason=unavailable (Redis did not take the events in time), overloaded (the event backlog or Redis's memory is past its limit)",
  labelNames: ["reason"],
  registers: [],
});
for (const reason of ["unavailable", "overloaded"]) ingestRefused.inc({ reason }, 0);

/** Counts one request's events once Redis has them, each as its outcome (the enqueuer's accepted or duplicate) says. */
export function countIngested(events: readonly RegistryEvent[], outcomes: readonly string[]): void {
  events.forEach((event, i) => {
    if (outcomes[i] === "duplicate") eventsDuplicate.inc({ source: event.source });
    else eventsIngested.inc({ source: event.source, type: event.type });
  });
}
