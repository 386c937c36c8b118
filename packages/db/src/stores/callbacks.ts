import {
  type CallbackStateName,
  type ChainRunStateName,
  callbackUrl,
  calledBackReason,
  expiredRunEnd,
  newCallbackToken,
} from "@hookyard/core";
import type { Db } from "../client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { endRunInTransaction } from "./chain-runs.js";

/**
 * A new callback_url for one attempt of a delivery, stored (as its token's hash) before the request
 * goes out. The delivery's callback row is made with its first URL; each later one (a retry, a
 * redelivery, a test) gets a URL of its own, every one of them leads to the same callback, and the
 * callback's expiry moves to `ttlMs` after the latest send, for all of them. One statement, so two workers
 * sending the same delivery at once still make one callback.
 */
export async function issueCallbackUrl(
  db: Db,
  options: { deliveryId: string; publicUrl: string; ttlMs: number; now?: Date },
): Promise<string> {
  const now = options.now ?? new Date();
  const { token, tokenHash } = newCallbackToken();
  const expiresAt = new Date(now.getTime() + options.ttlMs);
  await db.$executeRaw`
    WITH callback AS (
      INSERT INTO callbacks (id, delivery_id, expires_at)
      VALUES (${newId("callback")}, ${options.deliveryId}, ${expiresAt})
      -- Each send gives the receiver the whole TTL to call back: a retry a day later (the schedule
      -- runs longer than the default TTL) must not carry a URL that is dead already.
      ON CONFLICT (delivery_id) DO UPDATE SET expires_at = GREATEST(callbacks.expires_at, EXCLUDED.expires_at)
      RETURNING id
    )
    INSERT INTO callback_tokens (token_hash, callback_id, created_at)
    SELECT ${tokenHash}, id, ${now} FROM callback`;
  return callbackUrl(options.publicUrl, token);
}

export interface CallbackVerdict {
  state: CallbackStateName;
  description: string | null;
  context: string | null;
  targetUrl: string | null;
}

/** A chain run's move on a validated callback: on to the next step, completed, or interrupted. */
export interface ChainMove {
  runId: string;
  chainId: string;
  position: number;
  state: "running" | "completed" | "interrupted";
  /** The next step's delivery, made in the same transaction, and its webhook; to be queued. */
  nextDelivery: { id: string; webhookId: string } | null;
  reason: string | null;
}

export type CallbackOutcome =
  | { kind: "recorded"; deliveryId: string; receivedAt: Date; chain: ChainMove | null }
  | { kind: "unknown" }
  | { kind: "already-validated" }
  | { kind: "expired"; expiresAt: Date }
  /** The step's run is no longer running; `endedNow` when this callback found it expired and ended it. */
  | { kind: "run-ended"; runId: string; state: ChainRunStateName; endedNow: boolean };

interface Found {
  id: string;
  delivery_id: string;
  expires_at: Date;
  delivery_status: string;
  run_id: string | null;
}

/**
 * Records what a receiver said at a callback_url, once, and moves its chain run if it is a step of
 * one, in one transaction. The run's row is locked first, so of two callbacks at once (or a callback
 * and the sweep) one acts and the other then finds the step validated or the run ended. The update
 * only takes a callback that has no state yet and has not expired.
 */
export function recordCallback(
  db: Db,
  tokenHash: string,
  verdict: CallbackVerdict,
  now: Date = new Date(),
): Promise<CallbackOutcome> {
  return db.$transaction(async (tx) => {
    const [found] = await tx.$queryRaw<Found[]>`
      SELECT c.id, c.delivery_id, c.expires_at, d.status::text AS delivery_status, s.run_id
      FROM callback_tokens t JOIN callbacks c ON c.id = t.callback_id JOIN deliveries d ON d.id = c.delivery_id
      LEFT JOIN chain_steps s ON s.delivery_id = c.delivery_id
      WHERE t.token_hash = ${tokenHash}`;
    if (!found) return { kind: "unknown" };
    const run = found.run_id ? await lockRun(tx, found.run_id) : null;
    if (run && run.state !== "running") return { kind: "run-ended", runId: run.id, state: run.state, endedNow: false };

    const updated = await tx.$executeRaw`
      UPDATE callbacks SET state = ${verdict.state}::callback_state, description = ${verdict.description},
             context = ${verdict.context}, target_url = ${verdict.targetUrl}, received_at = ${now}
      WHERE id = ${found.id} AND state IS NULL AND expires_at > ${now}`;
    if (updated === 0) {
      // Read again: a callback racing this one may have validated it since the first read.
      const [current] = await tx.$queryRaw<Array<{ state: string | null }>>`
        SELECT state::text AS state FROM callbacks WHERE id = ${found.id}`;
      if (current?.state) return { kind: "already-validated" };
      if (!run || found.delivery_status === "pending") return { kind: "expired", expiresAt: found.expires_at };
      // The sweep would end this run within the second; the callback that found it ends it now.
      const end = expiredRunEnd(run.current_position, found.expires_at);
      await endRunInTransaction(tx, { runId: run.id, chainId: run.chain_id, position: run.current_position, ...end });
      return { kind: "run-ended", runId: run.id, state: "expired", endedNow: true };
    }
    const chain = run ? await moveRun(tx, run, verdict, now) : null;
    return { kind: "recorded", deliveryId: found.delivery_id, receivedAt: now, chain };
  });
}

interface LockedRun {
  id: string;
  chain_id: string;
  event_id: string;
  state: ChainRunStateName;
  current_position: number;
  steps: number;
}

async function lockRun(tx: Prisma.TransactionClient, runId: string): Promise<LockedRun> {
  const [run] = await tx.$queryRaw<LockedRun[]>`
    SELECT r.id, r.chain_id, r.event_id, r.state::text AS state, r.current_position,
           (SELECT count(*)::int FROM chain_steps s WHERE s.run_id = r.id) AS steps
    FROM chain_runs r WHERE r.id = ${runId} FOR UPDATE`;
  return run as LockedRun;
}

/** The run's move on a validated callback of its current step (the run's row is locked). */
async function moveRun(
  tx: Prisma.TransactionClient,
  run: LockedRun,
  verdict: CallbackVerdict,
  now: Date,
): Promise<ChainMove> {
  const base = {
    runId: run.id,
    chainId: run.chain_id,
    position: run.current_position,
    nextDelivery: null,
    reason: null,
  };
  if (verdict.state !== "success") {
    const reason = calledBackReason(run.current_position, verdict.state, verdict.description);
    await endRunInTransaction(tx, { ...base, state: "interrupted", reason });
    return { ...base, state: "interrupted", reason };
  }
  if (run.current_position >= run.steps) {
    await tx.$executeRaw`UPDATE chain_runs SET state = 'completed', ended_at = ${now} WHERE id = ${run.id}`;
    return { ...base, state: "completed" };
  }
  const next = run.current_position + 1;
  // A delivery of the event to that webhook may exist already (it got the event before it was
  // chained, or a recovery made one): the step takes it over rather than sending a second.
  const [delivery] = await tx.$queryRaw<Array<{ id: string; webhookId: string }>>`
    INSERT INTO deliveries (id, webhook_id, event_id)
    SELECT ${newId("delivery")}, s.webhook_id, ${run.event_id} FROM chain_steps s
    WHERE s.run_id = ${run.id} AND s.position = ${next}
    ON CONFLICT (webhook_id, event_id) DO UPDATE SET webhook_id = EXCLUDED.webhook_id
    RETURNING id, webhook_id AS "webhookId"`;
  const nextDelivery = delivery ?? null;
  await tx.$executeRaw`
    UPDATE chain_steps SET delivery_id = ${nextDelivery?.id ?? null}, started_at = ${now}
    WHERE run_id = ${run.id} AND position = ${next}`;
  await tx.$executeRaw`UPDATE chain_runs SET current_position = ${next} WHERE id = ${run.id}`;
  return { ...base, state: "running", position: next, nextDelivery };
}
