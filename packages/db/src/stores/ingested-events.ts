import type { AcceptedEvent } from "@hookyard/core";
import { type Db, sql } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";
import { eventsUnnest, storedByDedupKey } from "./events.js";

/** What Postgres made of one event ingest stored. */
export interface IngestedEvent {
  /** The id the event is stored under: its own, or its first copy's for a duplicate. */
  id: string;
  duplicate: boolean;
  /** Whether it must go on the queue: new, or a duplicate whose first copy still awaits its fan-out. */
  queue: boolean;
}

/**
 * Stores the events ingest accepted, before it answers 202, each marked as awaiting its fan-out
 * (decision 0014): from here on Postgres holds them, whatever happens to Redis. The dedup key is
 * the events table's unique key, so a re-sent event is a duplicate for as long as its first copy is
 * kept (HOOKYARD_RETENTION), and Redis remembers no dedup key for it. A duplicate whose first copy
 * has not been fanned out yet is queued again under that copy's id: a job of that id already
 * queued makes it a no-op, and one lost with Redis's data is replaced.
 */
export async function storeIngestedEvents(db: Db, events: readonly AcceptedEvent[]): Promise<IngestedEvent[]> {
  const firstOfKey = new Map<string, AcceptedEvent>();
  for (const event of events) if (!firstOfKey.has(event.dedupKey)) firstOfKey.set(event.dedupKey, event);
  // Sorted, so that concurrent batches (two API replicas) take the unique index's locks in one order.
  const unique = [...firstOfKey.values()].sort((a, b) => (a.dedupKey < b.dedupKey ? -1 : 1));
  const rows = await sql<{ id: string; dedup_key: string; inserted: boolean }>(
    db,
    Prisma.sql`
    INSERT INTO events (id, dedup_key, type, source, namespace, repository, tag, digest, actor, occurred_at, data,
                        subject_webhook_id, awaiting_fan_out)
    SELECT u.*, true FROM (${eventsUnnest(unique)}) u
    ON CONFLICT (dedup_key) DO UPDATE SET dedup_key = EXCLUDED.dedup_key WHERE events.awaiting_fan_out
    RETURNING id, dedup_key, (xmax = 0) AS inserted`,
  );
  const byKey = new Map(rows.map((row) => [row.dedup_key, row]));
  const fannedOut = await storedByDedupKey(
    db,
    unique.filter((e) => !byKey.has(e.dedupKey)).map((e) => e.dedupKey),
  );
  const idOfFannedOut = new Map(fannedOut.map((row) => [row.dedup_key, row.id]));
  return events.map((event) => {
    const row = byKey.get(event.dedupKey);
    const first = firstOfKey.get(event.dedupKey) === event;
    if (!row) return { id: idOfFannedOut.get(event.dedupKey) ?? event.id, duplicate: true, queue: false };
    return { id: row.id, duplicate: !(first && row.inserted), queue: first };
  });
}
