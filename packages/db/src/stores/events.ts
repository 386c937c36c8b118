import type { RegistryEvent } from "@hookyard/core";
import type { Db } from "../client.js";
import { newId } from "../ids.js";

/**
 * Records the event once (by its dedup key) and creates one pending delivery for every enabled
 * webhook it matches. Safe to run again for the same event: the unique keys make it a no-op, and
 * it returns every delivery of the event that is still pending so they can be (re-)enqueued.
 */
export async function recordEventAndFanOut(
  db: Db,
  event: RegistryEvent,
): Promise<{ eventId: string; pendingDeliveryIds: string[] }> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO events (id, dedup_key, type, source, namespace, repository, tag, digest, actor, occurred_at, data)
      VALUES (${newId("event")}, ${event.dedupKey}, ${event.type}, ${event.source}, ${event.namespace},
              ${event.repository}, ${event.tag}, ${event.digest}, ${event.actor},
              ${new Date(event.occurredAt)}, ${JSON.stringify(event.data)}::jsonb)
      ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key
      RETURNING id`;
    const eventId = (row as { id: string }).id;

    const matching = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM webhooks
      WHERE enabled AND ${event.type} = ANY(events)
        AND (repository = ${event.repository}
             OR (repository IS NULL AND namespace = ${event.namespace})
             OR (repository IS NULL AND namespace IS NULL))`;
    if (matching.length > 0) {
      const webhookIds = matching.map((m) => m.id);
      const deliveryIds = webhookIds.map(() => newId("delivery"));
      await tx.$executeRaw`
        INSERT INTO deliveries (id, webhook_id, event_id)
        SELECT d, w, ${eventId} FROM unnest(${deliveryIds}::text[], ${webhookIds}::text[]) AS t(d, w)
        ON CONFLICT (webhook_id, event_id) DO NOTHING`;
    }
    const pending = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM deliveries WHERE event_id = ${eventId} AND status = 'pending'`;
    return { eventId, pendingDeliveryIds: pending.map((p) => p.id) };
  });
}

/** The queue carries RegistryEvents; Postgres keeps them as rows. */
export function eventFromRow(row: {
  type: string;
  dedupKey: string;
  source: string;
  namespace: string | null;
  repository: string | null;
  tag: string | null;
  digest: string | null;
  actor: string | null;
  occurredAt: Date;
  data: unknown;
}): RegistryEvent {
  return {
    type: row.type as RegistryEvent["type"],
    dedupKey: row.dedupKey,
    source: row.source as RegistryEvent["source"],
    namespace: row.namespace,
    repository: row.repository,
    tag: row.tag,
    digest: row.digest,
    actor: row.actor,
    occurredAt: row.occurredAt.toISOString(),
    data: (row.data ?? {}) as Record<string, unknown>,
  };
}
