import type { Db } from "../client.js";
import { newId } from "../ids.js";
import { isolateFailures, UnstorableItemError } from "../store-errors.js";

export interface AttemptRecord {
  deliveryId: string;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  succeeded: boolean;
  /** No attempt will follow this one, whatever the count says (410 Gone, no queue attempt left). */
  final: boolean;
}

export interface AttemptOutcome {
  n: number;
  status: "pending" | "succeeded" | "failed";
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

async function recordIsolated(db: Db, records: readonly AttemptRecord[], maxAttempts: number) {
  const run = (batch: readonly AttemptRecord[]) => recordRound(db, batch, maxAttempts);
  const outcomes = await isolateFailures(records, run);
  const refused = outcomes.flatMap((outcome, index) => (outcome instanceof UnstorableItemError ? [index] : []));
  if (refused.length === 0) return outcomes;
  const bare = refused.map((index) => withoutReceiverData(records[index] as AttemptRecord, outcomes[index] as Error));
  const again = await isolateFailures(bare, run);
  refused.forEach((index, i) => {
    outcomes[index] = again[i] as AttemptResult;
  });
  return outcomes;
}

/** The attempt as Hookyard knows it without the receiver's answer, for when that answer cannot be stored. */
function withoutReceiverData(record: AttemptRecord, refusal: Error): AttemptRecord {
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
  const rows = await db.$queryRaw<Array<AttemptOutcome & { id: string }>>`
    WITH input AS (
      SELECT * FROM unnest(
        ${records.map((r) => r.deliveryId)}::text[], ${records.map(() => newId("attempt"))}::text[],
        ${records.map((r) => r.startedAt)}::timestamptz[], ${records.map((r) => r.durationMs)}::int[],
        ${records.map((r) => r.statusCode)}::int[], ${records.map((r) => r.error)}::text[],
        ${records.map((r) => JSON.stringify(r.requestHeaders))}::jsonb[],
        ${records.map((r) => (r.responseHeaders ? JSON.stringify(r.responseHeaders) : null))}::jsonb[],
        ${records.map((r) => r.responseBody)}::text[], ${records.map((r) => r.succeeded)}::bool[],
        ${records.map((r) => r.final)}::bool[])
      AS t(delivery_id, attempt_id, started_at, duration_ms, status_code, error, request_headers,
           response_headers, response_body, succeeded, final)),
    moved AS (
      UPDATE deliveries d SET
        attempt_count = d.attempt_count + 1,
        last_status_code = i.status_code,
        status = (CASE
          WHEN i.succeeded THEN 'succeeded'
          WHEN i.final OR d.attempt_count + 1 >= ${maxAttempts} THEN 'failed'
          ELSE 'pending' END)::delivery_status,
        completed_at = CASE WHEN i.succeeded OR i.final OR d.attempt_count + 1 >= ${maxAttempts} THEN now() END
      FROM input i
      WHERE d.id = i.delivery_id
      RETURNING d.id, d.attempt_count, d.status, d.webhook_id),
    attempt AS (
      INSERT INTO delivery_attempts (id, delivery_id, n, started_at, duration_ms, status_code, error,
                                     request_headers, response_headers, response_body)
      SELECT i.attempt_id, i.delivery_id, m.attempt_count, i.started_at, i.duration_ms, i.status_code, i.error,
             i.request_headers, i.response_headers, i.response_body
      FROM input i JOIN moved m ON m.id = i.delivery_id),
    touched AS (
      UPDATE webhooks SET last_successful_at = now()
      WHERE id IN (SELECT m.webhook_id FROM moved m JOIN input i ON i.delivery_id = m.id WHERE i.succeeded))
    SELECT id, attempt_count AS n, status::text AS status FROM moved`;
  const byId = new Map(rows.map((row) => [row.id, { n: row.n, status: row.status }]));
  return records.map((r) => byId.get(r.deliveryId) ?? null);
}
