import type { AcceptedEvent, RegistryEvent } from "@hookyard/core";
import { type Db, sql } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { isolateFailures, OutsideStoreError, type UnstorableItemError } from "../store-errors.js";
import { type StartedRun, startChainRuns } from "./chain-runs.js";

/**
 * Whether webhook `w` takes event `e` when enabled (subscribed to its type, in its scope, its tag
 * passing the webhook's tag filter, and not in a chain that takes the event: then it gets the event
 * as a step of the chain's run, only), and not the webhook an operational event is about (no
 * webhook hears about itself, so none can feed a loop): fan-out's rule, written once for every query that needs it;
 * recovery asks it of a webhook that was disabled.
 *
 * A tag glob becomes a LIKE pattern by escaping "_" and turning "*" into "%": globs hold nothing
 * else LIKE treats specially (core TAG_GLOB), and Postgres matches LIKE without exponential
 * backtracking. A NULL tag matches no pattern. core tagPassesFilter is the same rule, held to it by
 * tests/tag-filter.test.ts.
 *
 * Postgres plans the scope's three arms as one BitmapOr of three lookups in the index on
 * (repository, namespace), one per arm: keep each arm a condition on those two columns, or matching
 * reads far more webhooks than it takes (decision 0006; `pnpm bench` prints the plan).
 */
export const WEBHOOK_TAKES_EVENT = Prisma.sql`e.type = ANY(w.events)
  AND (w.repository = e.repository
       OR (w.repository IS NULL AND w.namespace = e.namespace)
       OR (w.repository IS NULL AND w.namespace IS NULL))
  AND (COALESCE(cardinality(w.filter_tags), 0) = 0
       OR EXISTS (SELECT 1 FROM unnest(w.filter_tags) AS glob
                  WHERE e.tag LIKE replace(replace(glob, '_', '!_'), '*', '%') ESCAPE '!'))
  AND NOT EXISTS (SELECT 1 FROM chain_links l JOIN chains c ON c.id = l.chain_id
                  WHERE l.webhook_id = w.id AND c.repository = e.repository AND e.type = ANY(c.events))
  AND w.id IS DISTINCT FROM e.subject_webhook_id`;

/**
 * Fan-out's rule: a webhook that takes the event, not deleted, and enabled since before the event
 * arrived. One created or resumed after the event gets it only through recover, however late its
 * fan-out runs (an event queued again after Redis lost it).
 */
export const WEBHOOK_MATCHES_EVENT = Prisma.sql`w.enabled AND w.deleted_at IS NULL AND w.enabled_at <= e.received_at
  AND ${WEBHOOK_TAKES_EVENT}`;

/** What matching needs of an event; without `receivedAt`, it arrives now. */
export type MatchableEvent = Pick<RegistryEvent, "type" | "repository" | "namespace" | "tag" | "subjectWebhookId"> & {
  receivedAt?: Date;
};

/**
 * The (event_id, webhook_id) pairs of a batch of events: fan-out's match query. matchingWebhookIds
 * runs it for one event, so that what `pnpm bench` times is what fan-out runs.
 */
export function matchingWebhooksSql(events: ReadonlyArray<MatchableEvent & { id: string }>): Prisma.Sql {
  return Prisma.sql`
    SELECT e.id AS event_id, w.id AS webhook_id
    FROM unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.type)}::text[],
                ${events.map((e) => e.repository)}::text[], ${events.map((e) => e.namespace)}::text[],
                ${events.map((e) => e.tag)}::text[], ${events.map((e) => e.subjectWebhookId ?? null)}::text[],
                ${events.map((e) => e.receivedAt ?? new Date())}::timestamptz[])
         AS e(id, type, repository, namespace, tag, subject_webhook_id, received_at)
    JOIN webhooks w ON ${WEBHOOK_MATCHES_EVENT}`;
}

/** The ids of the webhooks one event goes to (fan-out's rule and query, for one event). */
export async function matchingWebhookIds(db: Db, event: MatchableEvent): Promise<string[]> {
  const rows = await db.$queryRaw<{ webhook_id: string }[]>(matchingWebhooksSql([{ ...event, id: "" }]));
  return rows.map((row) => row.webhook_id);
}

export interface FanOutResult {
  eventId: string;
  /** With each one's webhook, which picks the delivery queue shard it goes on. */
  pendingDeliveries: Array<{ id: string; webhookId: string }>;
  /** Chain runs this fan-out started for the event. */
  chainRuns: StartedRun[];
}

/** A delivery a fan-out hands on: its webhook picks its queue shard; its event, who waits for it. */
export interface HandedOnDelivery {
  id: string;
  webhookId: string;
  eventId: string;
}

/**
 * Deliveries a fan-out found pending, handed on (to be queued) as each chunk of them is stored.
 * `created`: this run made them, for an event it stored, so nothing was ever sent or queued for
 * them, and the job running this fan-out is their event's (its id is the event's); otherwise an
 * earlier run left them pending (and may have queued them), or they are chain steps.
 */
export type OnPending = (deliveries: HandedOnDelivery[], created: boolean) => Promise<void>;

/** Deliveries stored (and handed to onPending) per statement: the first go out while the rest of a
 * wide fan-out is still being written, and no statement grows without bound. */
export const FAN_OUT_CHUNK = 500;

/**
 * Records events once each (by dedup key, under the id the first copy was accepted with) and creates
 * one pending delivery for every enabled webhook each matches, for a whole batch in set-based
 * statements, FAN_OUT_CHUNK deliveries at a time. Safe to run again for the same events (a worker
 * died half way): the unique keys make each step a no-op, and every delivery of theirs still pending
 * is handed to `onPending` again, so it can be (re-)queued under its own id. No transaction: each
 * step is idempotent on its own.
 */
export function recordEventsAndFanOut(
  db: Db,
  events: readonly AcceptedEvent[],
  onPending: OnPending = async () => {},
): Promise<Array<FanOutResult | UnstorableItemError>> {
  // Every step is idempotent, so the halves of a refused batch may run again (isolateFailures).
  return isolateFailures(events, (batch) => fanOutBatch(db, batch, onPending));
}

async function fanOutBatch(db: Db, events: readonly AcceptedEvent[], onPending: OnPending): Promise<FanOutResult[]> {
  // ON CONFLICT DO UPDATE may not touch one row twice in a statement: send each key once.
  // Sorted, so that concurrent batches (two workers) take the unique index's locks in one order.
  const unique = [...new Map(events.map((e) => [e.dedupKey, e])).values()].sort((a, b) =>
    a.dedupKey < b.dedupKey ? -1 : 1,
  );
  const stored = await storeForFanOut(db, unique);
  // A fresh event has no deliveries yet: stored just now, or by ingest and taken by no fan-out
  // before. One fanned out before (a run again after a crash or a store outage, an event re-sent)
  // may have some left pending, looked up below.
  const storedBefore = new Set(stored.filter((row) => !row.fresh).map((row) => row.id));
  const byKey = new Map(stored.map((row) => [row.dedup_key, row]));
  const idOf = (e: AcceptedEvent) => byKey.get(e.dedupKey)?.id as string;
  const eventIds = unique.map(idOf);

  // Under the stored ids and times: a repeated event keeps the id its first copy was stored with.
  const matches = await sql<{ event_id: string; webhook_id: string }>(
    db,
    matchingWebhooksSql(unique.map((e) => ({ ...e, id: idOf(e), receivedAt: byKey.get(e.dedupKey)?.received_at }))),
  );

  // Before the deliveries, so that the look for pending deliveries below finds step 1's too.
  const chains = await startChainRuns(
    db,
    unique.map((e) => ({ id: idOf(e), type: e.type, repository: e.repository })),
  );

  const pendingByEvent = new Map<string, FanOutResult["pendingDeliveries"]>(eventIds.map((id) => [id, []]));
  const handedOn = new Set<string>();
  const handOn = async (
    rows: ReadonlyArray<{ id: string; event_id: string; webhook_id: string }>,
    created: boolean,
  ) => {
    const fresh = rows.filter((row) => !handedOn.has(row.id));
    for (const row of fresh) {
      handedOn.add(row.id);
      pendingByEvent.get(row.event_id)?.push({ id: row.id, webhookId: row.webhook_id });
    }
    if (fresh.length === 0) return;
    const handed = fresh.map((row) => ({ id: row.id, webhookId: row.webhook_id, eventId: row.event_id }));
    await onPending(handed, created).catch((error: unknown) => {
      throw new OutsideStoreError(error);
    });
  };

  matches.sort((a, b) =>
    a.webhook_id === b.webhook_id ? (a.event_id < b.event_id ? -1 : 1) : a.webhook_id < b.webhook_id ? -1 : 1,
  );
  for (let from = 0; from < matches.length; from += FAN_OUT_CHUNK) {
    const chunk = matches.slice(from, from + FAN_OUT_CHUNK);
    // The chunk's new deliveries. Looking up the pending ones of an earlier run in the same statement
    // cost it 43% of its time (docs/performance.md), so that is done below, for the events it concerns.
    const created = await sql<{ id: string; event_id: string; webhook_id: string }>(
      db,
      Prisma.sql`
      INSERT INTO deliveries (id, webhook_id, event_id)
      SELECT * FROM unnest(${chunk.map(() => newId("delivery"))}::text[],
                           ${chunk.map((m) => m.webhook_id)}::text[], ${chunk.map((m) => m.event_id)}::text[])
      ON CONFLICT (webhook_id, event_id) DO NOTHING
      RETURNING id, event_id, webhook_id`,
    );
    // New deliveries of an event stored before (a webhook added since its first run) are handed on
    // as not created here: their event's job is not this run's (OnPending).
    await handOn(
      created.filter((row) => !storedBefore.has(row.event_id)),
      true,
    );
    await handOn(
      created.filter((row) => storedBefore.has(row.event_id)),
      false,
    );
  }
  // Deliveries left pending by an earlier run of these events, and the chain runs' first steps
  // (started above, or by an earlier run).
  const lookUp = [...new Set([...storedBefore, ...chains.chainedEventIds])];
  if (lookUp.length > 0) {
    const pending = await sql<{ id: string; event_id: string; webhook_id: string }>(
      db,
      Prisma.sql`
      SELECT id, event_id, webhook_id FROM deliveries WHERE event_id = ANY(${lookUp}::text[]) AND status = 'pending'`,
    );
    for (let from = 0; from < pending.length; from += FAN_OUT_CHUNK) {
      await handOn(pending.slice(from, from + FAN_OUT_CHUNK), false);
    }
  }
  return events.map((e) => {
    const eventId = idOf(e);
    return {
      eventId,
      pendingDeliveries: pendingByEvent.get(eventId) ?? [],
      chainRuns: chains.started.filter((run) => run.eventId === eventId),
    };
  });
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

/** The events stored under these dedup keys: the id and time their first copy was stored with. */
export async function storedByDedupKey(
  db: Db,
  keys: readonly string[],
): Promise<Array<{ id: string; dedup_key: string; received_at: Date }>> {
  if (keys.length === 0) return [];
  return sql(db, Prisma.sql`SELECT id, dedup_key, received_at FROM events WHERE dedup_key = ANY(${keys}::text[])`);
}

/** A SELECT of events' columns, in the order INSERT INTO events lists them above. */
export function eventsUnnest(events: readonly AcceptedEvent[]): Prisma.Sql {
  return Prisma.sql`
    SELECT * FROM unnest(
      ${events.map((e) => e.id)}::text[], ${events.map((e) => e.dedupKey)}::text[],
      ${events.map((e) => e.type)}::text[], ${events.map((e) => e.source)}::text[],
      ${events.map((e) => e.namespace)}::text[], ${events.map((e) => e.repository)}::text[],
      ${events.map((e) => e.tag)}::text[], ${events.map((e) => e.digest)}::text[],
      ${events.map((e) => e.actor)}::text[], ${events.map((e) => e.occurredAt)}::timestamptz[],
      ${events.map((e) => JSON.stringify(e.data))}::jsonb[], ${events.map((e) => e.subjectWebhookId ?? null)}::text[])`;
}

/** An accepted event as a row of `events` (for the few places that write one through Prisma). */
export function eventRowData(event: AcceptedEvent) {
  return {
    id: event.id,
    dedupKey: event.dedupKey,
    type: event.type,
    source: event.source,
    namespace: event.namespace,
    repository: event.repository,
    tag: event.tag,
    digest: event.digest,
    actor: event.actor,
    occurredAt: new Date(event.occurredAt),
    data: event.data as object,
    subjectWebhookId: event.subjectWebhookId ?? null,
  };
}

/** The queue carries RegistryEvents; Postgres keeps them as rows. */
/** An events row as the delivery path reads it. */
export interface EventRow {
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
  subjectWebhookId?: string | null;
}

export function eventFromRow(row: EventRow): RegistryEvent {
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
    subjectWebhookId: row.subjectWebhookId ?? null,
  };
}
