import { type ChainMove, type Db, type EndedRun, sweepChainRuns } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { type Queues, queueDeliveries } from "@hookyard/queues";
import { Counter } from "prom-client";

/**
 * The chain run moves the API makes (a callback validated, a webhook deleted or disabled), counted
 * for routes/metrics.ts and logged; the workers count the moves they make (started, and ended by
 * the sweep). Never with the callback_url: the logged fields are ids, positions and reasons.
 */
export const chainRunMoves = new Counter({
  name: "hookyard_chain_runs_total",
  help: "Chain runs this process moved: advanced (a step's success started the next), completed, interrupted (a receiver called back failure or error, or a webhook of the run was deleted or disabled), expired",
  labelNames: ["state"],
  registers: [],
});
for (const state of ["advanced", "completed", "interrupted", "expired"]) chainRunMoves.inc({ state }, 0);

/** Counts and logs a run moved by a callback, and queues the next step's delivery. */
export async function noteChainMove(deps: { queues: Queues; logger: Logger }, move: ChainMove): Promise<void> {
  const state = move.state === "running" ? "advanced" : move.state;
  chainRunMoves.inc({ state });
  deps.logger.info(`chain run ${state}`, { ...move });
  if (!move.nextDelivery) return;
  try {
    await queueDeliveries(deps.queues, [move.nextDelivery]);
  } catch (error) {
    // The step's delivery is in Postgres already: the reconciler queues it if this did not.
    deps.logger.warn("next chain step not queued; the reconciler will queue it", {
      runId: move.runId,
      deliveryId: move.nextDelivery.id,
      reason: (error as Error).message,
    });
  }
}

/** Ends, counts and logs the runs a webhook just deleted or disabled can no longer complete. */
export async function endChainRunsOf(deps: { db: Db; logger: Logger }, webhookId: string): Promise<EndedRun[]> {
  const ended = await sweepChainRuns(deps.db, { webhookId });
  for (const run of ended) {
    chainRunMoves.inc({ state: run.state });
    deps.logger.info(`chain run ${run.state}`, { ...run });
  }
  return ended;
}
