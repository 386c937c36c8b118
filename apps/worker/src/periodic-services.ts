import type { Config } from "@hookyard/config";
import type { Db } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { Queues, RedisConnection } from "@hookyard/queues";
import { startAutoDisabler } from "./services/auto-disabler.js";
import { startOperationalPublisher } from "./services/operational-publisher.js";
import { startPruner } from "./services/pruner.js";
import { startReconciler } from "./services/reconciler.js";

export interface PeriodicServicesDeps {
  config: Config;
  db: Db;
  redis: RedisConnection;
  queues: Queues;
  logger: Logger;
}

export interface PeriodicServices {
  /** Stops their timers and waits for the passes under way. */
  close(): Promise<void>;
}

/**
 * What a worker does on a timer beside the delivery path: the reconciler (work Redis lost), the
 * pruner (retention), the operational publisher (Hookyard's own events) and the auto-disabler
 * (webhooks that keep failing). Every worker runs them; the reconciler, the pruner and the
 * auto-disabler each hold a Redis lock so that one worker at a time makes a pass, and the
 * publisher's rows are claimed in Postgres.
 */
export function startPeriodicServices(deps: PeriodicServicesDeps): PeriodicServices {
  const { config, db, redis, queues, logger } = deps;
  const reconciler = startReconciler({
    db,
    redis,
    queues,
    intervalMs: config.reconcileIntervalMs,
    logger,
  });
  const pruner = startPruner({
    db,
    redis,
    lockKey: queues.events.toKey("pruner:lock"),
    retentionMs: config.retentionMs,
    bodyRetentionMs: config.bodyRetentionMs,
    intervalMs: config.pruneIntervalMs,
    logger,
  });
  const operational = startOperationalPublisher({
    db,
    queues,
    exhaustionIntervalMs: config.exhaustionIntervalMs,
    logger,
  });
  const autoDisabler = startAutoDisabler({
    db,
    redis,
    lockKey: queues.events.toKey("auto-disabler:lock"),
    rule: { failures: config.autoDisableFailures, afterMs: config.autoDisableAfterMs },
    // As often as the reconciler, which made these passes before it had a service of its own.
    intervalMs: config.reconcileIntervalMs,
    logger,
  });
  return {
    async close() {
      await Promise.all([reconciler.close(), pruner.close(), operational.close(), autoDisabler.close()]);
    },
  };
}
