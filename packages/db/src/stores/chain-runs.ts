import {
  type CallbackStateName,
  type ChainRunEnd,
  type ChainRunFacts,
  type ChainRunStateName,
  chainRunVerdict,
  chainStepState,
} from "@hookyard/core";
import { type Db, sql } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { type CountedPage, countedPage, mapPage, type Page, type PageQuery, readPageById } from "../paging.js";
import { chainRunEndedEvents } from "./operational.js";

/*
 * Chain runs (contract: "Callback chains"). Fan-out starts a run per matching chain, with every step
 * copied from the chain as it is then (a chain edited later does not change runs started) and step
 * 1's delivery; a validated `success` callback makes the next step's delivery (stores/callbacks.ts);
 * the sweep here ends runs that cannot go on. Every move is one statement or one transaction on the
 * run's row, guarded by the run's state and current step, so racing moves cannot both happen.
 */

export interface StartedRun {
  runId: string;
  chainId: string;
  eventId: string;
  /** Step 1's delivery; null when that webhook already had a delivery of the event (it was not yet chained). */
  deliveryId: string | null;
}

export interface ChainStarts {
  /** Runs this call started. */
  started: StartedRun[];
  /** Events some chain takes, whether their run started now or before. */
  chainedEventIds: Set<string>;
}

/**
 * Starts a run of every chain that takes each event (same repository, one of its event types, at
 * least one step), once: a run already started for a (chain, event) is left alone, so fan-out may
 * run again. Runs, their steps and step 1's delivery are made in one statement.
 */
export async function startChainRuns(
  db: Db,
  events: ReadonlyArray<{ id: string; type: string; repository: string | null }>,
): Promise<ChainStarts> {
  const none: ChainStarts = { started: [], chainedEventIds: new Set() };
  const withRepository = events.filter((e) => e.repository !== null);
  if (withRepository.length === 0) return none;
  const matches = await sql<{ event_id: string; chain_id: string; webhook_ids: string[] }>(
    db,
    Prisma.sql`
    SELECT e.id AS event_id, c.id AS chain_id, array_agg(l.webhook_id ORDER BY l.position) AS webhook_ids
    FROM unnest(${withRepository.map((e) => e.id)}::text[], ${withRepository.map((e) => e.type)}::text[],
                ${withRepository.map((e) => e.repository)}::text[]) AS e(id, type, repository)
    JOIN chains c ON c.repository = e.repository AND e.type = ANY(c.events)
    JOIN chain_links l ON l.chain_id = c.id
    GROUP BY e.id, c.id
    ORDER BY c.id, e.id`,
  );
  if (matches.length === 0) return none;

  const runs = matches.map((m) => ({ ...m, runId: newId("chainRun"), deliveryId: newId("delivery") }));
  // Steps are numbered 1..n whatever gaps the chain's positions have.
  const steps = runs.flatMap((run) =>
    run.webhook_ids.map((webhookId, i) => ({
      id: newId("chainStep"),
      runId: run.runId,
      eventId: run.event_id,
      position: i + 1,
      webhookId,
      deliveryId: i === 0 ? run.deliveryId : null,
    })),
  );
  const created = await db.$queryRaw<Array<{ run_id: string; delivery_id: string | null }>>`
    WITH step AS (
      SELECT * FROM unnest(${steps.map((s) => s.id)}::text[], ${steps.map((s) => s.runId)}::text[],
                           ${steps.map((s) => s.eventId)}::text[], ${steps.map((s) => s.position)}::int[],
                           ${steps.map((s) => s.webhookId)}::text[], ${steps.map((s) => s.deliveryId)}::text[])
      AS t(id, run_id, event_id, position, webhook_id, delivery_id)),
    run AS (
      INSERT INTO chain_runs (id, chain_id, event_id)
      SELECT * FROM unnest(${runs.map((r) => r.runId)}::text[], ${runs.map((r) => r.chain_id)}::text[],
                           ${runs.map((r) => r.event_id)}::text[])
      ON CONFLICT (chain_id, event_id) DO NOTHING
      RETURNING id),
    first AS (
      INSERT INTO deliveries (id, webhook_id, event_id)
      SELECT s.delivery_id, s.webhook_id, s.event_id FROM step s
      WHERE s.delivery_id IS NOT NULL AND s.run_id IN (SELECT id FROM run)
      ON CONFLICT (webhook_id, event_id) DO NOTHING
      RETURNING id),
    steps AS (
      INSERT INTO chain_steps (id, run_id, position, webhook_id, delivery_id, started_at)
      SELECT s.id, s.run_id, s.position, s.webhook_id, f.id, CASE WHEN s.position = 1 THEN now() END
      FROM step s LEFT JOIN first f ON f.id = s.delivery_id
      WHERE s.run_id IN (SELECT id FROM run))
    SELECT s.run_id, f.id AS delivery_id FROM step s JOIN run r ON r.id = s.run_id
    LEFT JOIN first f ON f.id = s.delivery_id WHERE s.position = 1`;
  const byRun = new Map(runs.map((r) => [r.runId, r]));
  const started = created.map((row) => {
    const run = byRun.get(row.run_id) as (typeof runs)[number];
    return { runId: row.run_id, chainId: run.chain_id, eventId: run.event_id, deliveryId: row.delivery_id };
  });
  return { started, chainedEventIds: new Set(matches.map((m) => m.event_id)) };
}

/** Where a delivery stands in its chain run, if it is a step of one. */
export interface ChainStanding {
  runId: string;
  runState: ChainRunStateName;
  position: number;
  callbackState: CallbackStateName | null;
}

/** A delivery's place in a chain run, or null for a delivery outside any chain. */
export async function chainStanding(db: Db, deliveryId: string): Promise<ChainStanding | null> {
  const [row] = await db.$queryRaw<ChainStanding[]>`
    SELECT r.id AS "runId", r.state::text AS "runState", s.position, c.state::text AS "callbackState"
    FROM chain_steps s JOIN chain_runs r ON r.id = s.run_id
    LEFT JOIN callbacks c ON c.delivery_id = s.delivery_id
    WHERE s.delivery_id = ${deliveryId}`;
  return row ?? null;
}

/** Which running runs a sweep looks at: all, or those a change just concerned. */
export type SweepScope = { all: true } | { webhookId: string } | { deliveryIds: readonly string[] };

export interface EndedRun extends ChainRunEnd {
  runId: string;
  chainId: string;
  position: number;
}

const SWEEP_BATCH = 500;

function scopeCondition(scope: SweepScope): Prisma.Sql {
  if ("webhookId" in scope) {
    return Prisma.sql`EXISTS (SELECT 1 FROM chain_steps x WHERE x.run_id = r.id AND x.webhook_id = ${scope.webhookId})`;
  }
  if ("deliveryIds" in scope) return Prisma.sql`s.delivery_id = ANY(${[...scope.deliveryIds]}::text[])`;
  return Prisma.sql`TRUE`;
}

/**
 * Ends the running runs that cannot go on (core chainRunVerdict): a webhook of a remaining step
 * deleted or disabled, the current step's delivery failed or canceled, or its callback not come
 * within HOOKYARD_CALLBACK_TTL. The workers sweep every run each second; the API and the worker
 * sweep the runs a change concerns at once. A run is ended only if it is still at the step the facts
 * were read for, so a callback validated meanwhile wins; its pending deliveries are canceled with it.
 */
export async function sweepChainRuns(db: Db, scope: SweepScope, now: Date = new Date()): Promise<EndedRun[]> {
  const rows = await db.$queryRaw<
    Array<{
      run_id: string;
      chain_id: string;
      position: number;
      delivery_status: "pending" | "succeeded" | "failed" | "canceled" | null;
      attempts: number | null;
      last_status_code: number | null;
      callback_state: CallbackStateName | null;
      expires_at: Date | null;
      blocked: ChainRunFacts["blocked"] | null;
    }>
  >`
    WITH candidate AS (
      SELECT r.id, r.chain_id, r.current_position, s.delivery_id
      FROM chain_runs r JOIN chain_steps s ON s.run_id = r.id AND s.position = r.current_position
      WHERE r.state = 'running' AND ${scopeCondition(scope)}
      ORDER BY r.id)
    SELECT c.id AS run_id, c.chain_id, c.current_position AS position, d.status::text AS delivery_status,
           d.attempt_count AS attempts, d.last_status_code, cb.state::text AS callback_state, cb.expires_at,
           (SELECT json_agg(json_build_object('position', x.position, 'webhookId', x.webhook_id,
                                              'deleted', w.id IS NULL OR w.deleted_at IS NOT NULL,
                                              'disabledReason', w.disabled_reason))
            FROM chain_steps x LEFT JOIN webhooks w ON w.id = x.webhook_id
            WHERE x.run_id = c.id AND x.position >= c.current_position
              AND (w.id IS NULL OR NOT w.enabled)) AS blocked
    FROM candidate c
    LEFT JOIN deliveries d ON d.id = c.delivery_id
    LEFT JOIN callbacks cb ON cb.delivery_id = c.delivery_id
    WHERE d.id IS NULL OR d.status IN ('failed', 'canceled')
       OR (d.status = 'succeeded' AND cb.state IS NULL AND cb.expires_at <= ${now})
       OR EXISTS (SELECT 1 FROM chain_steps x LEFT JOIN webhooks w ON w.id = x.webhook_id
                  WHERE x.run_id = c.id AND x.position >= c.current_position AND (w.id IS NULL OR NOT w.enabled))
    LIMIT ${SWEEP_BATCH}`;
  const ends = rows.flatMap((row) => {
    const verdict = chainRunVerdict(
      {
        position: row.position,
        delivery: row.delivery_status
          ? { status: row.delivery_status, attempts: row.attempts ?? 0, lastStatusCode: row.last_status_code }
          : null,
        callback: row.expires_at ? { state: row.callback_state, expiresAt: row.expires_at } : null,
        blocked: row.blocked ?? [],
      },
      now,
    );
    return verdict ? [{ runId: row.run_id, chainId: row.chain_id, position: row.position, ...verdict }] : [];
  });
  if (ends.length === 0) return [];
  const ended = await endRuns(db, ends);
  return ends.filter((end) => ended.has(end.runId));
}

/** Ends runs still at the step they were judged at, and cancels their pending deliveries; the ids ended. */
async function endRuns(db: Db | Prisma.TransactionClient, ends: readonly EndedRun[]): Promise<Set<string>> {
  const rows = await db.$queryRaw<Array<{ id: string }>>`
    WITH verdict AS (
      SELECT * FROM unnest(${ends.map((e) => e.runId)}::text[], ${ends.map((e) => e.position)}::int[],
                           ${ends.map((e) => e.state)}::text[], ${ends.map((e) => e.reason)}::text[])
      AS t(run_id, position, state, reason)),
    ended AS (
      UPDATE chain_runs r SET state = v.state::chain_run_state, reason = v.reason, ended_at = now()
      FROM verdict v
      WHERE r.id = v.run_id AND r.state = 'running' AND r.current_position = v.position
      RETURNING r.id, r.chain_id, r.state, r.current_position, r.reason, r.event_id),
    ended_events AS (${chainRunEndedEvents(Prisma.sql`ended`)}),
    canceled AS (
      UPDATE deliveries d SET status = 'canceled', completed_at = now()
      FROM chain_steps s
      WHERE s.run_id IN (SELECT id FROM ended) AND d.id = s.delivery_id AND d.status = 'pending')
    SELECT id FROM ended`;
  return new Set(rows.map((row) => row.id));
}

/** Ends one run from inside a transaction that holds its row (the callback's). */
export async function endRunInTransaction(tx: Prisma.TransactionClient, end: EndedRun): Promise<void> {
  await endRuns(tx, [end]);
}

const runInclude = {
  event: { select: { type: true, tag: true, digest: true } },
  chain: { select: { name: true, repository: true } },
  steps: {
    orderBy: { position: "asc" },
    include: {
      delivery: {
        select: {
          id: true,
          status: true,
          attemptCount: true,
          lastStatusCode: true,
          createdAt: true,
          completedAt: true,
          callback: {
            select: {
              state: true,
              description: true,
              context: true,
              targetUrl: true,
              receivedAt: true,
              expiresAt: true,
            },
          },
        },
      },
    },
  },
} satisfies Prisma.ChainRunInclude;

type RunRow = Prisma.ChainRunGetPayload<{ include: typeof runInclude }>;

/** A run as the API shows it: every step with its delivery's summary and its callback. */
function presentRun(run: RunRow) {
  return {
    id: run.id,
    chainId: run.chainId,
    chainName: run.chain.name,
    repository: run.chain.repository,
    eventId: run.eventId,
    eventType: run.event.type,
    tag: run.event.tag,
    state: run.state,
    currentStep: run.currentPosition,
    reason: run.reason,
    createdAt: run.createdAt,
    endedAt: run.endedAt,
    steps: run.steps.map((step) => {
      const callback = step.delivery?.callback ?? null;
      return {
        position: step.position,
        webhookId: step.webhookId,
        state: chainStepState(
          {
            started: step.startedAt !== null,
            deliveryStatus: step.delivery?.status ?? null,
            callbackState: callback?.state ?? null,
          },
          run.state,
        ),
        startedAt: step.startedAt,
        delivery: step.delivery
          ? {
              id: step.delivery.id,
              status: step.delivery.status,
              attempts: step.delivery.attemptCount,
              lastStatusCode: step.delivery.lastStatusCode,
              completedAt: step.delivery.completedAt,
            }
          : null,
        // What the receiver said, as it said it; the callback_url itself is never shown.
        callback: callback
          ? {
              state: callback.state,
              description: callback.description,
              context: callback.context,
              targetUrl: callback.targetUrl,
              receivedAt: callback.receivedAt,
              expiresAt: callback.expiresAt,
            }
          : null,
      };
    }),
  };
}

export type ChainRunView = ReturnType<typeof presentRun>;

export async function getChainRun(db: Db, runId: string): Promise<ChainRunView | null> {
  const run = await db.chainRun.findUnique({ where: { id: runId }, include: runInclude });
  return run ? presentRun(run) : null;
}

/** The repository a run's chain belongs to, for the permission check before reading it. */
export async function chainRunRepository(db: Db, runId: string): Promise<string | null> {
  const run = await db.chainRun.findUnique({
    where: { id: runId },
    select: { chain: { select: { repository: true } } },
  });
  return run?.chain.repository ?? null;
}

/** A chain's runs, newest first (ids sort by time). */
export async function listChainRuns(
  db: Db,
  chainId: string,
  query: PageQuery & { state?: ChainRunStateName },
): Promise<CountedPage<ChainRunView>> {
  const where = { chainId, ...(query.state ? { state: query.state } : {}) };
  const page = await countedPage(
    readPageById(query, "desc", ({ idAfter, ...window }) =>
      db.chainRun.findMany({ where: { ...where, id: idAfter }, ...window, include: runInclude }),
    ),
    (take) => db.chainRun.count({ where, take }),
  );
  return mapPage(page, presentRun);
}
