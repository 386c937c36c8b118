import { type Db, type EndedRun, type SweepScope, sweepChainRuns } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { metrics } from "../metrics.js";
import { every } from "./every.js";

/** How often every worker looks for chain runs to end: a run expires within this of its callback's TTL. */
export const CHAIN_SWEEP_INTERVAL_MS = 1_000;

export interface ChainSweeper {
  /** Ends the runs a change concerns now, rather than at the next sweep. */
  sweep(scope: SweepScope): Promise<EndedRun[]>;
  close(): Promise<void>;
}

/**
 * Ends chain runs that cannot go on (stores/chain-runs.ts sweepChainRuns), every second in every
 * worker: expiry happens on time with no other traffic, and after a restart, since the state is
 * in Postgres. Workers sweeping at once end each run once (the update is guarded by the run's
 * state and step), so no lock is needed. Each ended run is logged and counted.
 */
export function startChainSweeper(db: Db, logger: Logger, intervalMs = CHAIN_SWEEP_INTERVAL_MS): ChainSweeper {
  async function sweep(scope: SweepScope): Promise<EndedRun[]> {
    const ended = await sweepChainRuns(db, scope);
    for (const run of ended) {
      metrics.chainRun(run.state);
      logger.info(`chain run ${run.state}`, { ...run });
    }
    return ended;
  }

  const repeating = every(intervalMs, () => sweep({ all: true }), { logger, failed: "chain sweep did not finish" });
  return { sweep, close: repeating.stop };
}
