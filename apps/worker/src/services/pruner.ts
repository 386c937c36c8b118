import { autovacuumIsOn, type Db, NOTHING_PRUNED, type PruneCounts, pruneBatch, vacuumPruned } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { RedisConnection } from "@hookyard/queues";
import { metrics } from "../metrics.js";
import { every } from "./every.js";

export interface PrunerDeps {
  db: Db;
  redis: RedisConnection;
  /** A Redis key of this Hookyard's (queue prefix), held by the worker pruning. */
  lockKey: string;
  retentionMs: number;
  bodyRetentionMs: number;
  intervalMs: number;
  logger: Logger;
  /** Rows per statement: small enough that no statement holds its locks for long. */
  batch?: number;
}

export interface Pruner {
  /** One pass now, if no other worker holds the pass; null when another did. */
  runOnce(): Promise<PruneCounts | null>;
  close(): Promise<void>;
}

const DEFAULT_BATCH = 1_000;
/** A pass stops after this long and the next goes on: the lock must outlive a pass. */
const PASS_BUDGET_MS = 20_000;
/** Room for deliveries between two batches. */
const PAUSE_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Deletes what is past HOOKYARD_RETENTION and trims attempts past HOOKYARD_BODY_RETENTION (db
 * stores/prune.ts), every HOOKYARD_PRUNE_INTERVAL, in one worker at a time (a Redis lock that lapses
 * by itself if its holder dies), batch after batch until nothing is left or the pass's time is up.
 */
export function startPruner(deps: PrunerDeps): Pruner {
  const { db, redis, logger } = deps;
  const batch = deps.batch ?? DEFAULT_BATCH;

  async function runOnce(): Promise<PruneCounts | null> {
    const locked = await redis.set(deps.lockKey, String(process.pid), "PX", PASS_BUDGET_MS * 2, "NX");
    if (!locked) return null;
    const totals: PruneCounts = { ...NOTHING_PRUNED };
    const started = Date.now();
    try {
      for (;;) {
        const now = Date.now();
        const counts = await pruneBatch(db, {
          before: new Date(now - deps.retentionMs),
          bodiesBefore: new Date(now - deps.bodyRetentionMs),
          batch,
        });
        for (const kind of Object.keys(totals) as Array<keyof PruneCounts>) totals[kind] += counts[kind];
        const more = Object.values(counts).some((n) => n >= batch);
        if (!more || Date.now() - started > PASS_BUDGET_MS) break;
        await sleep(PAUSE_MS);
      }
    } finally {
      await redis.del(deps.lockKey);
    }
    if (Object.values(totals).some((n) => n > 0)) {
      metrics.pruned(totals);
      // Without autovacuum the space of what went would never be used again.
      const vacuumed = (await autovacuumIsOn(db)) ? [] : await vacuumPruned(db, totals);
      logger.info("pruned what is past retention", { ...totals, vacuumed, ms: Date.now() - started });
    }
    return totals;
  }

  const repeating = every(deps.intervalMs, runOnce, { logger, failed: "prune pass did not finish", now: true });
  return { runOnce, close: repeating.stop };
}
