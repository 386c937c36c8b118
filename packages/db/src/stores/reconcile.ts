import type { AcceptedEvent } from "@hookyard/core";
import type { Db } from "../client.js";
import { eventFromRow } from "./events.js";

/** Pending deliveries created before `before`, in id order after `afterId` (deliveries_pending_idx),
 * with their webhooks (which pick the delivery queue shard each is on). */
export async function pendingDeliveries(
  db: Db,
  before: Date,
  afterId: string,
  limit: number,
): Promise<Array<{ id: string; webhookId: string; eventId: string }>> {
  return db.$queryRaw<Array<{ id: string; webhookId: string; eventId: string }>>`
    SELECT id, webhook_id AS "webhookId", event_id AS "eventId" FROM deliveries
    WHERE status = 'pending' AND id > ${afterId} AND created_at < ${before}
    ORDER BY id LIMIT ${limit}`;
}

/**
 * Events ingest stored between `since` and `before` that no fan-out has taken yet (decision 0014),
 * oldest first: their job may have been lost with Redis's data. Only these: an event a fan-out took
 * is never judged again against the webhooks of today (one paused then, resumed since, gets it
 * only through recover), and a test event is stored as taken.
 */
export async function eventsAwaitingFanOut(
  db: Db,
  since: Date,
  before: Date,
  limit: number,
): Promise<Array<{ event: AcceptedEvent; receivedAt: Date }>> {
  const rows = await db.$queryRaw<Array<Parameters<typeof eventFromRow>[0] & { id: string; receivedAt: Date }>>`
    SELECT e.id, e.received_at AS "receivedAt", e.type, e.dedup_key AS "dedupKey", e.source, e.namespace, e.repository, e.tag, e.digest,
           e.actor, e.occurred_at AS "occurredAt", e.data, e.subject_webhook_id AS "subjectWebhookId"
    FROM events e
    WHERE e.awaiting_fan_out AND e.received_at >= ${since} AND e.received_at < ${before}
    ORDER BY e.received_at LIMIT ${limit}`;
  return rows.map((row) => ({ event: { ...eventFromRow(row), id: row.id }, receivedAt: row.receivedAt }));
}
