import type { AttemptAnswer } from "@hookyard/core";
import { type Db, sql } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";
import { isolateFailures, UnstorableItemError } from "../store-errors.js";
import { webhookStateEvents } from "./operational.js";

export interface AttemptRecord extends AttemptAnswer {
  deliveryId: string;
  /** Made when the request goes out, so that booking the same attempt twice books it once. */
  attemptId: string;
  startedAt: Date;
  /** No attempt will follow this one, whatever the count says (413, 410 Gone, a webhook that cannot be sent to). */
  final: boolean;
  /** Set (to the reason) when this answer disables the webhook (410 Gone); booked in the same statement. */
  disableWebhook: string | null;
}

export interface AttemptOutcome {
  /** The attempt's number on the delivery, over every series. */
  n: number;
  /** Its number in the current series (a redelivery starts a new one): what the schedule counts. */
  tries: number;
  /** The delivery's status after it: one that was final before stays as it was. */
  status: "pending" | "succeeded" | "failed" | "canceled";
  webhookId: string;
}

export type AttemptResult = AttemptOutcome | null | UnstorableItemError;

/**
 * Books a batch of attempts and moves each delivery on, one statement per round (atomic, and one
 * round trip on the hot path). The attempt number comes from the delivery row itself, so a retry
 * after a crash numbers on from what Postgres has seen. One statement can move a delivery only once,
 * so a delivery that shows up twice in a batch (a job taken over from a stalled worker while its
 * first run still finishes) is booked in a later round. Null for a delivery that no longer exists.
 * An attempt Postgres refuses does not fail its neighbours (isolateFailures), and is booked again
 * without what the receiver sent, so that the POST that went out still counts.
 */
export async function recordAttempts(
  db: Db,
  records: readonly AttemptRecord[],
  maxAttempts: number,
): Promise<AttemptResult[]> {
  const results: AttemptResult[] = new Array(records.length).fill(null);
  let pending = records.map((record, index) => ({ record, index }));
  while (pending.length > 0) {
    const seen = new Set<string>();
    const round = pending.filter(({ record }) => !seen.has(record.deliveryId) && seen.add(record.deliveryId));
    pending = pending.filter((item) => !round.includes(item));
    const outcomes = await recordIsolated(
      db,
      round.map((item) => item.record),
      maxAttempts,
    );
    round.forEach((item, i) => {
      results[item.index] = outcomes[i] ?? null;
    });
  }
  return results;
}

function recordIsolated(db: Db, records: readonly AttemptRecord[], maxAttempts: number) {
  return bookIsolated(records, (batch) => recordRound(db, batch, maxAttempts));
}

/**
 * Runs a booking statement so that one attempt Postgres refuses does not fail its neighbours; a
 * refused one is booked again without what the receiver sent, so that the POST that went out counts.
 */
async function bookIsolated<T extends AttemptRecord>(
  records: readonly T[],
  run: (batch: readonly T[]) => Promise<Array<AttemptOutcome | null>>,
): Promise<AttemptResult[]> {
  const outcomes: AttemptResult[] = await isolateFailures(records, run);
  const refused = outcomes.flatMap((outcome, index) => (outcome instanceof UnstorableItemError ? [index] : []));
  if (refused.length === 0) return outcomes;
  const bare = refused.map((index) => withoutReceiverData(records[index] as T, outcomes[index] as Error));
  const again = await isolateFailures(bare, run);
  refused.forEach((index, i) => {
    outcomes[index] = again[i] as AttemptResult;
  });
  return outcomes;
}

/** The attempt as Hookyard knows it without the receiver's answer, for when that answer cannot be stored. */
function withoutReceiverData<T extends AttemptRecord>(record: T, refusal: Error): T {
  return {
    ...record,
    responseHeaders: null,
    responseBody: null,
    error: `${record.error ?? "the answer"} (not stored: ${refusal.message})`.slice(0, 1000),
  };
}

async function recordRound(
  db: Db,
  records: readonly AttemptRecord[],
  maxAttempts: number,
): Promise<Array<AttemptOutcome | null>> {
  // Rows are moved in delivery id order, so that two workers' batches lock shared rows alike.
  const sorted = [...records].sort((a, b) => (a.deliveryId < b.deliveryId ? -1 : 1));
  const rows = await sql<AttemptOutcome & { id: string }>(
    db,
    Prisma.sql`
    WITH input AS (${attemptRows(sorted)}),
    -- An attempt booked before (its answer was lost with the connection) is not booked again.
    fresh AS (
      SELECT i.* FROM input i WHERE NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.id = i.attempt_id)),
    moved AS (
      UPDATE deliveries d SET
        attempt_count = d.attempt_count + 1,
        last_status_code = i.status_code,
        -- A final status stays final: an attempt booked late (a canceled delivery, one that another
        -- worker's attempt already ended) is kept in the history, and moves nothing.
        status = (CASE
          WHEN d.status <> 'pending' THEN d.status::text
          WHEN i.succeeded THEN 'succeeded'
          WHEN i.final OR d.attempt_count + 1 - d.series_start >= ${maxAttempts} THEN 'failed'
          ELSE 'pending' END)::delivery_status,
        completed_at = CASE
          WHEN d.status <> 'pending' THEN d.completed_at
          WHEN i.succeeded OR i.final OR d.attempt_count + 1 - d.series_start >= ${maxAttempts} THEN now() END
      FROM fresh i
      WHERE d.id = i.delivery_id
      RETURNING d.id, d.attempt_count, d.series_start, d.status, d.webhook_id),
    attempt AS (
      INSERT INTO delivery_attempts (id, delivery_id, n, started_at, duration_ms, status_code, error,
                                     request_headers, request_body, response_headers, response_body)
      SELECT i.attempt_id, i.delivery_id, m.attempt_count, i.started_at, i.duration_ms, i.status_code, i.error,
             i.request_headers, i.request_body, i.response_headers, i.response_body
      FROM fresh i JOIN moved m ON m.id = i.delivery_id),
    disabled AS (
      UPDATE webhooks w SET enabled = false, disabled_reason = i.disable_webhook, updated_at = now()
      FROM fresh i JOIN moved m ON m.id = i.delivery_id
      WHERE w.id = m.webhook_id AND i.disable_webhook IS NOT NULL AND w.enabled
      RETURNING w.id, w.name, w.url, w.namespace, w.repository, w.enabled, w.disabled_reason),
    disabled_events AS (${webhookStateEvents(Prisma.sql`disabled`)}),
    booked_before AS (
      SELECT d.id, d.attempt_count, d.series_start, d.status, d.webhook_id
      FROM deliveries d JOIN input i ON i.delivery_id = d.id
      WHERE NOT EXISTS (SELECT 1 FROM fresh f WHERE f.delivery_id = d.id))
    SELECT id, attempt_count AS n, attempt_count - series_start AS tries, status::text AS status,
           webhook_id AS "webhookId" FROM moved
    UNION ALL
    SELECT id, attempt_count AS n, attempt_count - series_start AS tries, status::text AS status,
           webhook_id AS "webhookId" FROM booked_before`,
  );
  return outcomesInOrder(records, rows);
}

/**
 * A batch of attempts as rows of one JSON parameter: node-postgres sends one string instead of a
 * dozen arrays whose every element it escapes (a tenth of what the worker allocated per delivery).
 */
function attemptRows(records: ReadonlyArray<AttemptRecord & { webhookId?: string; eventId?: string }>): Prisma.Sql {
  const rows = records.map((r) => ({
    delivery_id: r.deliveryId,
    webhook_id: r.webhookId ?? null,
    event_id: r.eventId ?? null,
    attempt_id: r.attemptId,
    started_at: r.startedAt,
    duration_ms: r.durationMs,
    status_code: r.statusCode,
    error: r.error,
    request_headers: r.requestHeaders,
    request_body: r.requestBody ?? null,
    response_headers: r.responseHeaders,
    response_body: r.responseBody,
    succeeded: r.succeeded,
    final: r.final,
    disable_webhook: r.disableWebhook,
  }));
  return Prisma.sql`SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
    AS t(delivery_id text, webhook_id text, event_id text, attempt_id text, started_at timestamptz, duration_ms int,
         status_code int, error text, request_headers jsonb, request_body text, response_headers jsonb, response_body text,
         succeeded bool, final bool, disable_webhook text)`;
}

/** Each record's booked outcome, in the records' order; null for one the statement did not book. */
function outcomesInOrder(
  records: readonly AttemptRecord[],
  rows: ReadonlyArray<AttemptOutcome & { id: string }>,
): Array<AttemptOutcome | null> {
  const byId = new Map(
    rows.map((row) => [row.id, { n: row.n, tries: row.tries, status: row.status, webhookId: row.webhookId }]),
  );
  return records.map((r) => byId.get(r.deliveryId) ?? null);
}

/** The first attempt of a delivery not written yet (fan-out sent it straight away). */
export interface FirstAttemptRecord extends AttemptRecord {
  webhookId: string;
  eventId: string;
}

/**
 * Writes deliveries fan-out sent before writing them, each together with its first attempt, in one
 * statement per batch: the delivery is written once, already booked (decision 0015). A delivery
 * another run wrote meanwhile (the event's job taken over from a worker that seemed dead) gets the
 * attempt booked onto it instead. Null for one whose webhook no longer exists.
 */
export async function bookFirstAttempts(
  db: Db,
  records: readonly FirstAttemptRecord[],
  maxAttempts: number,
): Promise<AttemptResult[]> {
  const results = await bookIsolated(records, (batch) => writeBooked(db, batch, maxAttempts));
  const conflicts = records.flatMap((record, index) => (results[index] === null ? [{ record, index }] : []));
  if (conflicts.length === 0) return results;
  const existing = await sql<{ id: string; event_id: string; webhook_id: string }>(
    db,
    Prisma.sql`
    SELECT d.id, d.event_id, d.webhook_id FROM deliveries d
    JOIN unnest(${conflicts.map((c) => c.record.eventId)}::text[], ${conflicts.map((c) => c.record.webhookId)}::text[])
      AS k(event_id, webhook_id) ON d.event_id = k.event_id AND d.webhook_id = k.webhook_id`,
  );
  const idOf = new Map(existing.map((row) => [`${row.event_id} ${row.webhook_id}`, row.id]));
  const rekeyed = conflicts.flatMap(({ record, index }) => {
    const id = idOf.get(`${record.eventId} ${record.webhookId}`);
    return id ? [{ index, record: { ...record, deliveryId: id } }] : [];
  });
  const booked = await recordAttempts(
    db,
    rekeyed.map((r) => r.record),
    maxAttempts,
  );
  rekeyed.forEach(({ index }, i) => {
    results[index] = booked[i] ?? null;
  });
  return results;
}

async function writeBooked(
  db: Db,
  records: readonly FirstAttemptRecord[],
  maxAttempts: number,
): Promise<Array<AttemptOutcome | null>> {
  const sorted = [...records].sort((a, b) => (a.deliveryId < b.deliveryId ? -1 : 1));
  const rows = await sql<AttemptOutcome & { id: string }>(
    db,
    Prisma.sql`
    WITH input AS (${attemptRows(sorted)}),
    written AS (
      INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, last_status_code, completed_at)
      SELECT i.delivery_id, i.webhook_id, i.event_id,
             (CASE WHEN i.succeeded THEN 'succeeded'
                   WHEN i.final OR 1 >= ${maxAttempts} THEN 'failed'
                   ELSE 'pending' END)::delivery_status,
             1, i.status_code,
             CASE WHEN i.succeeded OR i.final OR 1 >= ${maxAttempts} THEN now() END
      FROM input i JOIN webhooks w ON w.id = i.webhook_id
      ON CONFLICT (event_id, webhook_id) DO NOTHING
      RETURNING id, attempt_count, series_start, status, webhook_id),
    attempt AS (
      INSERT INTO delivery_attempts (id, delivery_id, n, started_at, duration_ms, status_code, error,
                                     request_headers, request_body, response_headers, response_body)
      SELECT i.attempt_id, i.delivery_id, 1, i.started_at, i.duration_ms, i.status_code, i.error,
             i.request_headers, i.request_body, i.response_headers, i.response_body
      FROM input i JOIN written m ON m.id = i.delivery_id),
    disabled AS (
      UPDATE webhooks w SET enabled = false, disabled_reason = i.disable_webhook, updated_at = now()
      FROM input i JOIN written m ON m.id = i.delivery_id
      WHERE w.id = m.webhook_id AND i.disable_webhook IS NOT NULL AND w.enabled
      RETURNING w.id, w.name, w.url, w.namespace, w.repository, w.enabled, w.disabled_reason),
    disabled_events AS (${webhookStateEvents(Prisma.sql`disabled`)})
    SELECT id, attempt_count AS n, attempt_count - series_start AS tries, status::text AS status,
           webhook_id AS "webhookId" FROM written`,
  );
  return outcomesInOrder(records, rows);
}
