import type { AcceptedEvent } from "@hookyard/core";
import {
  type AttemptOutcome,
  type AttemptRecord,
  type Db,
  type DeliveryForSending,
  type FanOutResult,
  loadDeliveriesForSending,
  type OnPending,
  recordAttempts,
  recordEventsAndFanOut,
} from "@hookyard/db";
import DataLoader from "dataloader";

/** What the processors ask of Postgres, one call per job. */
export interface DeliveryStore {
  loadDelivery(deliveryId: string): Promise<DeliveryForSending | null>;
  recordAttempt(record: AttemptRecord): Promise<AttemptOutcome | null>;
  fanOut(event: AcceptedEvent): Promise<FanOutResult>;
}

/**
 * Concurrent jobs' calls are gathered for a couple of milliseconds and sent as one set-based
 * statement. Through Prisma and its pg adapter each statement costs about 0.2 ms of CPU on this
 * machine whatever its size, so per-job statements capped a worker at a few hundred deliveries per
 * second; batched, the cost is shared (docs/performance.md).
 */
export function createBatchedStore(
  db: Db,
  options: {
    maxAttempts: number;
    /** Queues deliveries as fan-out stores them, a chunk at a time. */
    queuePending: OnPending;
    windowMs?: number;
  },
): DeliveryStore {
  const schedule = (run: () => void) => setTimeout(run, options.windowMs ?? 2);
  const common = { cache: false, maxBatchSize: 500, batchScheduleFn: schedule };

  const deliveries = new DataLoader<string, DeliveryForSending | null>(
    (ids) => loadDeliveriesForSending(db, ids),
    common,
  );
  const attempts = new DataLoader<AttemptRecord, AttemptOutcome | null>(
    (records) => recordAttempts(db, records, options.maxAttempts),
    common,
  );
  const fanOuts = new DataLoader<AcceptedEvent, FanOutResult>(
    (events) => recordEventsAndFanOut(db, events, options.queuePending),
    common,
  );

  return {
    loadDelivery: (id) => deliveries.load(id),
    recordAttempt: (record) => attempts.load(record),
    fanOut: (event) => fanOuts.load(event),
  };
}
