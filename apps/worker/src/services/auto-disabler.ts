import { type Db, disableFailingWebhooks } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { RedisConnection } from "@hookyard/queues";
import { metrics } from "../metrics.js";
import { every } from "./every.js";

export interface AutoDisablerDeps {
  db: Db;
  redis: RedisConnection;
  /** A Redis key of this Hookyard's (queue prefix), held by the worker that made the last pass. */
  lockKey: string;
  /** Webhooks failing this long, this often, are disabled (config autoDisable*; failures 0: never). */
  rule: { failures: number; afterMs: number };
  /** HOOKYARD_RECONCILE_INTERVAL: how soon after crossing the rule a webhook is disabled. */
  intervalMs: number;
  logger: Logger;
}

export interface AutoDisabler {
  /** One pass now, if no other worker made one within the interval; null when another did. */
  runOnce(): Promise<Array<{ id: string }> | null>;
  close(): Promise<void>;
}

/**
 * Disables the webhooks whose deliveries keep failing (db disableFailingWebhooks: HOOKYARD_AUTO_DISABLE_FAILURES
 * in a row, the first at least HOOKYARD_AUTO_DISABLE_AFTER ago), each with a WEBHOOK_DISABLED event,
 * at worker start and every interval, in one worker per interval: a Redis lock that lapses by itself.
 */
export function startAutoDisabler(deps: AutoDisablerDeps): AutoDisabler {
  const { db, redis, logger } = deps;

  async function runOnce(): Promise<Array<{ id: string }> | null> {
    if (deps.rule.failures <= 0) return [];
    const locked = await redis.set(deps.lockKey, String(process.pid), "PX", Math.max(deps.intervalMs, 5_000), "NX");
    if (!locked) return null;
    const disabled = await disableFailingWebhooks(db, deps.rule);
    for (const webhook of disabled) {
      logger.warn("webhook disabled: its deliveries keep failing", { webhookId: webhook.id, ...webhook });
      metrics.webhookDisabled("failing");
    }
    return disabled;
  }

  const repeating = every(deps.intervalMs, runOnce, { logger, failed: "auto-disable pass did not finish", now: true });
  return { runOnce, close: repeating.stop };
}
