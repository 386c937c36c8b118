import type { Db } from "../client.js";

/*
 * Retention (HOOKYARD_RETENTION, HOOKYARD_BODY_RETENTION): what has ended longer ago than the
 * retention is deleted, in batches of at most `batch` rows a statement, oldest first, each read
 * through a partial index of what may go (deliveries_finished_idx, chain_runs_ended_idx,
 * delivery_attempts_untrimmed_idx, events' received_at). FOR UPDATE SKIP LOCKED leaves rows a
 * delivery or another pruner holds to a later batch instead of waiting for them, so a batch never
 * queues behind the hot path and two pruners never deadlock. docs/decisions/0007 has the measurement
 * behind batches over dropping time partitions.
 *
 * Never pruned: a pending delivery, a running chain run, a delivery of a run still kept, an event
 * that still has deliveries or runs (they go first, the event in a later batch).
 */

export interface PruneCutoffs {
  /** Finished deliveries, ended runs and events older than this go. */
  before: Date;
  /** Attempts sent before this lose their headers and bodies (the request's and the response's). */
  bodiesBefore: Date;
  /** Rows per statement. */
  batch: number;
}

export interface PruneCounts {
  chainRuns: number;
  deliveries: number;
  events: number;
  attemptsTrimmed: number;
  sessions: number;
  /** Published rows of the operational events' outbox. */
  operationalEvents: number;
}

const STEPS: Array<[keyof PruneCounts, (db: Db, cutoffs: PruneCutoffs) => Promise<number>]> = [
  [
    "chainRuns",
    (db, { before, batch }) => db.$executeRaw`
      DELETE FROM chain_runs WHERE id IN (
        SELECT id FROM chain_runs WHERE state <> 'running' AND ended_at < ${before}
        ORDER BY ended_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)`,
  ],
  [
    "deliveries",
    // Attempts, callbacks and their tokens go with their delivery (ON DELETE CASCADE).
    (db, { before, batch }) => db.$executeRaw`
      DELETE FROM deliveries WHERE id IN (
        SELECT d.id FROM deliveries d
        WHERE d.status <> 'pending' AND d.completed_at < ${before}
          -- A step's delivery stays as long as its run is shown; it goes once the run is pruned.
          AND NOT EXISTS (SELECT 1 FROM chain_steps s WHERE s.delivery_id = d.id)
        ORDER BY d.completed_at LIMIT ${batch} FOR UPDATE OF d SKIP LOCKED)`,
  ],
  [
    "events",
    (db, { before, batch }) => db.$executeRaw`
      DELETE FROM events WHERE id IN (
        SELECT e.id FROM events e
        WHERE e.received_at < ${before}
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id)
          AND NOT EXISTS (SELECT 1 FROM chain_runs r WHERE r.event_id = e.id)
        ORDER BY e.received_at LIMIT ${batch} FOR UPDATE OF e SKIP LOCKED)`,
  ],
  [
    "attemptsTrimmed",
    (db, { bodiesBefore, batch }) => db.$executeRaw`
      UPDATE delivery_attempts SET request_headers = '{}'::jsonb, request_body = NULL, response_headers = NULL,
                                   response_body = NULL,
                                   trimmed_at = now()
      WHERE id IN (
        SELECT id FROM delivery_attempts WHERE trimmed_at IS NULL AND started_at < ${bodiesBefore}
        ORDER BY started_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)`,
  ],
  [
    "operationalEvents",
    (db, { before, batch }) => db.$executeRaw`
      DELETE FROM operational_events WHERE id IN (
        SELECT id FROM operational_events WHERE published_at < ${before}
        ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED)`,
  ],
  [
    "sessions",
    (db, { batch }) => db.$executeRaw`
      DELETE FROM sessions WHERE token_hash IN (
        SELECT token_hash FROM sessions WHERE expires_at < now() LIMIT ${batch} FOR UPDATE SKIP LOCKED)`,
  ],
];

export const NOTHING_PRUNED: Readonly<PruneCounts> = {
  chainRuns: 0,
  deliveries: 0,
  events: 0,
  attemptsTrimmed: 0,
  sessions: 0,
  operationalEvents: 0,
};

/** One batch of each kind; the counts say what went (a count of `batch` means more may be left). */
export async function pruneBatch(db: Db, cutoffs: PruneCutoffs): Promise<PruneCounts> {
  const counts: PruneCounts = { ...NOTHING_PRUNED };
  for (const [kind, step] of STEPS) counts[kind] = await step(db, cutoffs);
  return counts;
}

/** The tables each kind of pruning leaves dead rows in (cascades included). */
const TABLES_OF: Record<keyof PruneCounts, readonly string[]> = {
  chainRuns: ["chain_runs", "chain_steps"],
  deliveries: ["deliveries", "delivery_attempts", "callbacks", "callback_tokens"],
  events: ["events"],
  attemptsTrimmed: ["delivery_attempts"],
  sessions: ["sessions"],
  operationalEvents: ["operational_events"],
};

/** Whether Postgres vacuums by itself (autovacuum, on unless a server turns it off). */
export async function autovacuumIsOn(db: Db): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ autovacuum: string }>>`SHOW autovacuum`;
  return row?.autovacuum === "on";
}

/**
 * VACUUMs the tables a prune pass deleted from, so that the space of what went is used again
 * rather than the tables growing: for a Postgres whose autovacuum is off (this machine's CI server
 * runs so). SKIP_LOCKED: a table another VACUUM holds is left to the next pass. Returns the tables.
 */
export async function vacuumPruned(db: Db, counts: PruneCounts): Promise<string[]> {
  const tables = [
    ...new Set(
      (Object.keys(TABLES_OF) as Array<keyof PruneCounts>).flatMap((k) => (counts[k] > 0 ? TABLES_OF[k] : [])),
    ),
  ];
  // Table names from the fixed list above, never from input.
  for (const table of tables) await db.$executeRawUnsafe(`VACUUM (SKIP_LOCKED) ${table}`);
  return tables;
}
