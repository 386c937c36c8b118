import type { OperationalEventType } from "./event-types.js";
import type { RegistryEvent } from "./registry-event.js";

/*
 * Hookyard's own events (issue 16): a webhook disabled or enabled again, deliveries that failed with
 * no attempt left (one event per webhook per interval, with the count), a chain run that ended
 * without completing. Postgres writes them to an outbox in the same transaction as the change (db
 * migration operational_events); the workers publish them to the events queue, and they go the
 * registry events' way from there: matched by scope, delivered in the webhook's format. The webhook
 * an event is about never receives it, and a delivery of an operational event that fails raises no
 * DELIVERY_EXHAUSTED, so no subscriber can set off a loop of events about itself.
 */

/** The webhook an operational event is about, as the `contents` show it (never its secret or headers). */
export type WebhookSummary = {
  id: string;
  name: string;
  url: string;
  namespace: string | null;
  repository: string | null;
};

export type WebhookStateContents = {
  webhook: WebhookSummary;
  /** Why it was disabled ("the receiver answered 410 Gone at ...", "paused by alice"); null on enabling. */
  reason: string | null;
};

export type DeliveryExhaustedContents = {
  webhook: WebhookSummary;
  /** Deliveries that failed for good in [since, until). */
  failedDeliveries: number;
  lastDeliveryId: string;
  /** The last of them's last answer; null when none came (timeout, refused, ...). */
  lastStatusCode: number | null;
  since: string;
  until: string;
};

export type ChainRunEndedContents = {
  chain: { id: string; name: string };
  run: { id: string; state: "interrupted" | "expired"; step: number; reason: string | null; eventId: string };
  /** The webhook of the step the run ended at. */
  webhook: WebhookSummary;
};

export type OperationalContents = WebhookStateContents | DeliveryExhaustedContents | ChainRunEndedContents;

/** One row of the outbox, as the publisher reads it. */
export interface OperationalOutboxRow {
  id: string;
  type: OperationalEventType;
  webhookId: string;
  namespace: string | null;
  repository: string | null;
  contents: OperationalContents;
  createdAt: Date;
}

/**
 * The event an outbox row becomes. Its dedup key is the row's, so publishing a row twice (a worker
 * died between queuing it and marking it) still makes one event and one delivery per subscriber.
 */
export function operationalEvent(row: OperationalOutboxRow): RegistryEvent {
  return {
    type: row.type,
    dedupKey: `hookyard:${row.id}`,
    source: "hookyard",
    namespace: row.namespace,
    repository: row.repository,
    tag: null,
    digest: null,
    actor: null,
    occurredAt: row.createdAt.toISOString(),
    data: row.contents as Record<string, unknown>,
    subjectWebhookId: row.webhookId,
  };
}

/** What a test of an operational type sends (POST /webhooks/:id/test): the shape, with sample values. */
export function sampleOperationalContents(
  type: OperationalEventType,
  place: { namespace: string | null; repository: string | null },
  now: Date,
): OperationalContents {
  const webhook: WebhookSummary = {
    id: "wh_sample",
    name: "sample",
    url: "https://ci.example/hook",
    namespace: place.namespace,
    repository: place.repository,
  };
  switch (type) {
    case "WEBHOOK_DISABLED":
      return { webhook, reason: `the receiver answered 410 Gone at ${now.toISOString()}` };
    case "WEBHOOK_ENABLED":
      return { webhook, reason: null };
    case "DELIVERY_EXHAUSTED":
      return {
        webhook,
        failedDeliveries: 3,
        lastDeliveryId: "dlv_sample",
        lastStatusCode: 503,
        since: new Date(now.getTime() - 60_000).toISOString(),
        until: now.toISOString(),
      };
    case "CHAIN_RUN_ENDED":
      return {
        chain: { id: "chn_sample", name: "release" },
        run: {
          id: "run_sample",
          state: "interrupted",
          step: 1,
          reason: "step 1: the receiver called back failure",
          eventId: "evt_sample",
        },
        webhook,
      };
  }
}
