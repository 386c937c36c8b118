import type { AcceptedEvent } from "@hookyard/core";
import type { Db } from "../client.js";
import { eventFromRow, WEBHOOK_MATCHES_EVENT } from "./events.js";

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
 * Events stored between `since` and `before` of which no delivery came, although an enabled webhook
 * that already existed when the event arrived takes it, or without the run of a chain that already
 * took it: their fan-out stopped between storing the event and creating its deliveries or runs, and
 * the job that would finish it may be gone.
 */
export async function eventsNeverFannedOut(
  db: Db,
  since: Date,
  before: Date,
  limit: number,
): Promise<Array<{ event: AcceptedEvent; receivedAt: Date }>> {
  const rows = await db.$queryRaw<Array<Parameters<typeof eventFromRow>[0] & { id: string; receivedAt: Date }>>`
    SELECT e.id, e.received_at AS "receivedAt", e.type, e.dedup_key AS "dedupKey", e.source, e.namespace, e.repository, e.tag, e.digest,
           e.actor, e.occurred_at AS "occurredAt", e.data, e.subject_webhook_id AS "subjectWebhookId"
    FROM events e
    WHERE e.received_at >= ${since} AND e.received_at < ${before}
      AND ((NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
            AND EXISTS (SELECT 1 FROM webhooks w WHERE w.created_at <= e.received_at AND ${WEBHOOK_MATCHES_EVENT}))
        OR EXISTS (SELECT 1 FROM chains c
                   WHERE c.repository = e.repository AND e.type = ANY(c.events) AND c.created_at <= e.received_at
                     AND EXISTS (SELECT 1 FROM chain_links l WHERE l.chain_id = c.id)
                     AND NOT EXISTS (SELECT 1 FROM chain_runs r WHERE r.chain_id = c.id AND r.event_id = e.id)))
    ORDER BY e.received_at LIMIT ${limit}`;
  return rows.map((row) => ({ event: { ...eventFromRow(row), id: row.id }, receivedAt: row.receivedAt }));
}
