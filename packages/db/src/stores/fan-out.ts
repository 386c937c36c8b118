import type { AcceptedEvent } from "@hookyard/core";
import { type Db, sql } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";
import { deliveryIdFor } from "../ids.js";
import { isolateFailures, UnstorableItemError } from "../store-errors.js";
import { type StartedRun, startChainRuns } from "./chain-runs.js";
import { eventsUnnest, matchingWebhooksSql, storedByDedupKey } from "./events.js";

/**
 * An event as fan-out took it: stored under `id` and `receivedAt` (its first copy's, for a repeat),
 * and `fresh` when this run is the first fan-out of it, so that nothing was ever sent for it.
 */
export interface ClaimedEvent {
  event: AcceptedEvent;
  id: string;
  receivedAt: Date;
  fresh: boolean;
}

/** A delivery fan-out found for an event: its webhook picks its queue shard; its event, who waits for it. */
export interface MatchedDelivery {
  id: string;
  webhookId: string;
  eventId: string;
}

/**
 * What fan-out yields, a chunk at a time, so that the first deliveries go out while the rest of a
 * wide fan-out is still matched and written:
 * - `unwritten`: new deliveries of a fresh event, not in Postgres yet. The caller sends them now and
 *   writes each with its first attempt (bookFirstAttempts), or writes them pending
 *   (insertPendingDeliveries) and queues them; a crash before either leaves the event's job to run
 *   again, and that run writes them pending (decision 0015).
 * - `pending`: deliveries in Postgres, pending: an earlier run's (after a crash), chain runs' first
 *   steps, and new ones of an event fanned out before or of a dockerhub webhook (whose callback row
 *   must exist before it is sent). The caller queues them, under their ids.
 */
export type FanOutChunk = { kind: "unwritten" | "pending"; deliveries: MatchedDelivery[] };

/** Per claimed event: how many deliveries fan-out yielded, and the chain runs it started. */
export interface FanOutSummary {
  deliveries: number;
  chainRuns: StartedRun[];
}

/** Deliveries per chunk: the first go out while the rest are written, and no statement grows without bound. */
export const FAN_OUT_CHUNK = 500;

/**
 * Stores a batch of events once each (by dedup key) and takes them for fan-out (storeForFanOut).
 * An event Postgres refuses for its data fails alone (an UnstorableItemError in its place). Two
 * copies of one event in a batch are one event: only the first can be fresh.
 */
export async function claimEventsForFanOut(
  db: Db,
  events: readonly AcceptedEvent[],
): Promise<Array<ClaimedEvent | UnstorableItemError>> {
  const claimed = await isolateFailures(events, (batch) => claimBatch(db, batch));
  const seen = new Set<string>();
  return claimed.map((c) => {
    if (c instanceof UnstorableItemError) return c;
    const repeat = seen.has(c.id);
    seen.add(c.id);
    return repeat ? { ...c, fresh: false } : c;
  });
}

async function claimBatch(db: Db, events: readonly AcceptedEvent[]): Promise<ClaimedEvent[]> {
  // ON CONFLICT DO UPDATE may not touch one row twice in a statement: send each key once.
  // Sorted, so that concurrent batches (two workers) take the unique index's locks in one order.
  const unique = [...new Map(events.map((e) => [e.dedupKey, e])).values()].sort((a, b) =>
    a.dedupKey < b.dedupKey ? -1 : 1,
  );
  const byKey = new Map((await storeForFanOut(db, unique)).map((row) => [row.dedup_key, row]));
  return events.map((event) => {
    const row = byKey.get(event.dedupKey) as StoredEvent;
    return { event, id: row.id, receivedAt: row.received_at, fresh: row.fresh };
  });
}

/**
 * Fans claimed events out: matches them to webhooks (under their stored ids and times), starts the
 * runs of the chains that take them, and yields their deliveries a chunk at a time (FanOutChunk).
 * Returns, per event id, what it yielded. Safe to run again for the same events (a worker died half
 * way): the unique keys make each write a no-op, and every delivery still pending is yielded again.
 * No transaction: each step is idempotent on its own.
 */
export async function* fanOutChunks(
  db: Db,
  claimed: readonly ClaimedEvent[],
): AsyncGenerator<FanOutChunk, Map<string, FanOutSummary>> {
  const events = [...new Map(claimed.map((c) => [c.id, c])).values()];
  const fresh = new Set(events.filter((c) => c.fresh).map((c) => c.id));
  const summaries = new Map<string, FanOutSummary>(events.map((c) => [c.id, { deliveries: 0, chainRuns: [] }]));
  if (events.length === 0) return summaries;
  const matches = await sql<{ event_id: string; webhook_id: string; format: string }>(
    db,
    matchingWebhooksSql(events.map((c) => ({ ...c.event, id: c.id, receivedAt: c.receivedAt }))),
  );
  // Before the deliveries, so that the look for pending deliveries below finds step 1's too.
  const chains = await startChainRuns(
    db,
    events.map((c) => ({ id: c.id, type: c.event.type, repository: c.event.repository })),
  );
  for (const run of chains.started) summaries.get(run.eventId)?.chainRuns.push(run);

  const yielded = new Set<string>();
  const chunk = (kind: FanOutChunk["kind"], rows: readonly MatchedDelivery[]): FanOutChunk => {
    const deliveries = rows.filter((d) => !yielded.has(d.id));
    for (const d of deliveries) {
      yielded.add(d.id);
      const summary = summaries.get(d.eventId);
      if (summary) summary.deliveries++;
    }
    return { kind, deliveries };
  };

  // Event by event (each event's deliveries get their ids together: deliveryIdFor), webhook by
  // webhook within one.
  matches.sort((a, b) =>
    a.event_id === b.event_id ? (a.webhook_id < b.webhook_id ? -1 : 1) : a.event_id < b.event_id ? -1 : 1,
  );
  const sendable = (m: (typeof matches)[number]) => fresh.has(m.event_id) && m.format !== "dockerhub";
  const unwritten = matches.filter(sendable);
  for (let from = 0; from < unwritten.length; from += FAN_OUT_CHUNK) {
    const rows = unwritten.slice(from, from + FAN_OUT_CHUNK);
    yield chunk(
      "unwritten",
      rows.map((m) => ({ id: deliveryIdFor(m.event_id, m.webhook_id), webhookId: m.webhook_id, eventId: m.event_id })),
    );
  }
  const toWrite = matches.filter((m) => !sendable(m));
  for (let from = 0; from < toWrite.length; from += FAN_OUT_CHUNK) {
    const rows = toWrite.slice(from, from + FAN_OUT_CHUNK);
    const written = await insertPendingDeliveries(
      db,
      rows.map((m) => ({ id: deliveryIdFor(m.event_id, m.webhook_id), webhookId: m.webhook_id, eventId: m.event_id })),
    );
    const out = chunk("pending", written);
    if (out.deliveries.length > 0) yield out;
  }
  // Deliveries left pending by an earlier run of these events, and the chain runs' first steps.
  const lookUp = [...new Set([...events.filter((c) => !c.fresh).map((c) => c.id), ...chains.chainedEventIds])];
  if (lookUp.length === 0) return summaries;
  const pending = await sql<MatchedDelivery>(
    db,
    Prisma.sql`
    SELECT id, event_id AS "eventId", webhook_id AS "webhookId"
    FROM deliveries WHERE event_id = ANY(${lookUp}::text[]) AND status = 'pending'`,
  );
  for (let from = 0; from < pending.length; from += FAN_OUT_CHUNK) {
    const out = chunk("pending", pending.slice(from, from + FAN_OUT_CHUNK));
    if (out.deliveries.length > 0) yield out;
  }
  return summaries;
}

/**
 * Writes deliveries pending, under the ids given; returns those written. One a concurrent run
 * wrote first (same event and webhook) is left to that run, which queues it.
 */
export async function insertPendingDeliveries(
  db: Db,
  deliveries: readonly MatchedDelivery[],
): Promise<MatchedDelivery[]> {
  if (deliveries.length === 0) return [];
  return sql<MatchedDelivery>(
    db,
    Prisma.sql`
    INSERT INTO deliveries (id, webhook_id, event_id)
    SELECT * FROM unnest(${deliveries.map((d) => d.id)}::text[], ${deliveries.map((d) => d.webhookId)}::text[],
                         ${deliveries.map((d) => d.eventId)}::text[])
    ON CONFLICT (event_id, webhook_id) DO NOTHING
    RETURNING id, event_id AS "eventId", webhook_id AS "webhookId"`,
  );
}

/** One event's fan-out with every delivery written pending, as tests and tools want it. */
export interface FanOutResult {
  eventId: string;
  pendingDeliveries: Array<{ id: string; webhookId: string }>;
  chainRuns: StartedRun[];
}

/**
 * Fan-out without sending: claims the events and writes every delivery pending, for whoever queues
 * them (tests, and tools that make deliveries without a worker). The worker's own fan-out is
 * apps/worker services/fan-out.ts, which sends what it can at once.
 */
export async function recordEventsAndFanOut(
  db: Db,
  events: readonly AcceptedEvent[],
): Promise<Array<FanOutResult | UnstorableItemError>> {
  const claimed = await claimEventsForFanOut(db, events);
  const chunks = fanOutChunks(
    db,
    claimed.filter((c): c is ClaimedEvent => !(c instanceof UnstorableItemError)),
  );
  const pendingByEvent = new Map<string, Array<{ id: string; webhookId: string }>>();
  let step = await chunks.next();
  while (!step.done) {
    const { kind, deliveries } = step.value;
    const written = kind === "unwritten" ? await insertPendingDeliveries(db, deliveries) : deliveries;
    for (const d of written) {
      const list = pendingByEvent.get(d.eventId) ?? [];
      list.push({ id: d.id, webhookId: d.webhookId });
      pendingByEvent.set(d.eventId, list);
    }
    step = await chunks.next();
  }
  const summaries = step.value;
  return claimed.map((c) =>
    c instanceof UnstorableItemError
      ? c
      : {
          eventId: c.id,
          pendingDeliveries: pendingByEvent.get(c.id) ?? [],
          chainRuns: summaries.get(c.id)?.chainRuns ?? [],
        },
  );
}

type StoredEvent = { id: string; dedup_key: string; received_at: Date; fresh: boolean };

/**
 * Stores a batch of events once each (by dedup key) and takes them for fan-out: an event new here,
 * or stored by ingest and still awaiting its fan-out, comes back fresh, and the mark is cleared in
 * the same statement, so of two fan-outs of one event only one finds it fresh. The others (fanned
 * out before) are read as they are, under the id and time their first copy was stored with.
 */
async function storeForFanOut(db: Db, unique: readonly AcceptedEvent[]): Promise<StoredEvent[]> {
  const taken = await sql<Omit<StoredEvent, "fresh">>(
    db,
    Prisma.sql`
    INSERT INTO events (id, dedup_key, type, source, namespace, repository, tag, digest, actor, occurred_at, data,
                        subject_webhook_id)
    ${eventsUnnest(unique)}
    ON CONFLICT (dedup_key) DO UPDATE SET awaiting_fan_out = false WHERE events.awaiting_fan_out
    RETURNING id, dedup_key, received_at`,
  );
  const fresh = taken.map((row) => ({ ...row, fresh: true }));
  if (taken.length === unique.length) return fresh;
  const takenKeys = new Set(taken.map((row) => row.dedup_key));
  const before = await storedByDedupKey(
    db,
    unique.filter((e) => !takenKeys.has(e.dedupKey)).map((e) => e.dedupKey),
  );
  return [...fresh, ...before.map((row) => ({ ...row, fresh: false }))];
}
