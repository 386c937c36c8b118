import { operationalEvent } from "@hookyard/core";
import {
  type Db,
  markOperationalEventsPublished,
  newId,
  recordExhaustedDeliveries,
  unpublishedOperationalEvents,
} from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { EVENT_JOB_OPTIONS, type Queues, waitForReplica } from "@hookyard/queues";
import { metrics } from "../metrics.js";
import { every } from "./every.js";

/** How often each worker publishes the outbox: an operational event is queued within this. */
const PUBLISH_INTERVAL_MS = 1_000;
/** In a Redis Cluster, how long a queued batch may wait for the replica before the round gives up and retries. */
const REPLICA_WAIT_MS = 2_000;
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
 * HOOKYARD_EXHAUSTION_INTERVAL, the deliveries that failed for good, one event per webhook. A row is
 * marked once queued; a worker dying in between queues it again, which its dedup key makes harmless.
 */
export function startOperationalPublisher(deps: OperationalPublisherDeps): OperationalPublisher {
  const { db, queues, logger } = deps;

  async function runOnce(): Promise<number> {
    await recordExhaustedDeliveries(db, deps.exhaustionIntervalMs);
    let queued = 0;
    for (;;) {
      const rows = await unpublishedOperationalEvents(db, BATCH);
      if (rows.length === 0) break;
      await queues.events.addBulk(
        rows.map((row) => {
          const event = { ...operationalEvent(row), id: newId("event") };
          return { name: event.type, data: { event }, opts: { ...EVENT_JOB_OPTIONS, jobId: event.id } };
        }),
      );
      // Marked only once a failover could not lose them (in a cluster; decision 0008).
      await waitForReplica(queues, queues.events, REPLICA_WAIT_MS);
      await markOperationalEventsPublished(
        db,
        rows.map((row) => row.id),
      );
      for (const row of rows) {
        metrics.operationalEvent(row.type);
        logger.info("operational event queued", { type: row.type, webhookId: row.webhookId });
      }
      queued += rows.length;
      if (rows.length < BATCH) break;
    }
    return queued;
  }

  const repeating = every(PUBLISH_INTERVAL_MS, runOnce, { logger, failed: "operational events not published yet" });
  return { runOnce, close: repeating.stop };
}
