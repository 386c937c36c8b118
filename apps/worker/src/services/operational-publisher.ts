import { type Db, publishOperationalEvents, recordExhaustedDeliveries } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { type Queues, queueEvents } from "@hookyard/queues";
import { metrics } from "../metrics.js";
import { every } from "./every.js";

/** How often each worker publishes the outbox: an operational event is queued within this. */
const PUBLISH_INTERVAL_MS = 1_000;
const BATCH = 200;

export interface OperationalPublisherDeps {
  db: Db;
  queues: Queues;
  /** One DELIVERY_EXHAUSTED per webhook per this long (HOOKYARD_EXHAUSTION_INTERVAL). */
  exhaustionIntervalMs: number;
  logger: Logger;
}

export interface OperationalPublisher {
  /** One round now: the exhaustion pass if due, then the outbox; how many events it queued. */
  runOnce(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Queues Hookyard's own events (core operational-events.ts) on the events queue, where fan-out
 * takes them like a registry's: the outbox rows Postgres wrote with each change, and, once per
 * HOOKYARD_EXHAUSTION_INTERVAL, the deliveries that failed for good, one event per webhook. Each row
 * becomes one event however many workers publish at once (publishOperationalEvents).
 */
export function startOperationalPublisher(deps: OperationalPublisherDeps): OperationalPublisher {
  const { db, queues, logger } = deps;

  async function runOnce(): Promise<number> {
    await recordExhaustedDeliveries(db, deps.exhaustionIntervalMs);
    let queued = 0;
    for (;;) {
      const events = await publishOperationalEvents(db, BATCH);
      if (events.length === 0) break;
      // Postgres holds them now: a job lost on the way is queued again by the reconciler.
      await queueEvents(queues, events);
      for (const event of events) {
        metrics.operationalEvent(event.type);
        logger.info("operational event queued", { type: event.type, webhookId: event.subjectWebhookId });
      }
      queued += events.length;
      if (events.length < BATCH) break;
    }
    return queued;
  }

  const repeating = every(PUBLISH_INTERVAL_MS, runOnce, { logger, failed: "operational events not published yet" });
  return { runOnce, close: repeating.stop };
}
