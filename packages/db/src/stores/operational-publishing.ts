import { type AcceptedEvent, type OperationalOutboxRow, operationalEvent } from "@hookyard/core";
import type { Db } from "../client.js";
import { newId } from "../ids.js";
import { storeIngestedEvents } from "./ingested-events.js";

/**
 * Takes up to `limit` unpublished outbox rows and stores each as an event awaiting fan-out, in one
 * transaction that marks them published: rows another worker holds are skipped (SKIP LOCKED), so
 * of two workers publishing at once each row becomes one event, whichever takes it. Returns the
 * events to queue; one whose job is lost is queued again by the reconciler, like ingest's.
 */
export async function publishOperationalEvents(db: Db, limit: number): Promise<AcceptedEvent[]> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<Omit<OperationalOutboxRow, "id"> & { id: bigint }>>`
      SELECT id, type, webhook_id AS "webhookId", namespace, repository, contents, created_at AS "createdAt"
      FROM operational_events WHERE published_at IS NULL ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    if (rows.length === 0) return [];
    await tx.$executeRaw`
      UPDATE operational_events SET published_at = now() WHERE id = ANY(${rows.map((row) => row.id)}::bigint[])`;
    const events = rows.map((row) => ({ ...operationalEvent({ ...row, id: row.id.toString() }), id: newId("event") }));
    const stored = await storeIngestedEvents(tx as Db, events);
    return events.flatMap((event, i) => (stored[i]?.queue ? [{ ...event, id: stored[i].id }] : []));
  });
}
