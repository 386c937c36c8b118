import type { AcceptedEvent, RegistryEvent } from "@hookyard/core";
import { type Db, sql } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";

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
    SELECT e.id AS event_id, w.id AS webhook_id, w.format::text AS format
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
