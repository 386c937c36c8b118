import {
  type AttemptOutcome,
  type AttemptRecord,
  bookFirstAttempts,
  type Db,
  type DeliveryForSending,
  type FirstAttemptRecord,
  loadDeliveriesForSending,
  loadWebhooksForSending,
  recordAttempts,
  type SendingWebhook,
} from "@hookyard/db";
import DataLoader from "dataloader";

/** What an attempt asks of Postgres, one call per attempt. */
export interface DeliveryStore {
  loadDelivery(deliveryId: string): Promise<DeliveryForSending | null>;
  loadWebhook(webhookId: string): Promise<SendingWebhook | null>;
  recordAttempt(record: AttemptRecord): Promise<AttemptOutcome | null>;
  bookFirstAttempt(record: FirstAttemptRecord): Promise<AttemptOutcome | null>;
}

/**
 * Concurrent attempts' calls are gathered for a couple of milliseconds and sent as one set-based
 * statement. Through Prisma and its pg adapter each statement costs about 0.2 ms of CPU on this
 * machine whatever its size, so per-attempt statements capped a worker at a few hundred deliveries
 * per second; batched, the cost is shared (docs/performance.md). An item Postgres refuses comes
 * back as an Error, which DataLoader rejects that one call with.
 */
export function createBatchedStore(db: Db, options: { maxAttempts: number; windowMs?: number }): DeliveryStore {
  const schedule = (run: () => void) => setTimeout(run, options.windowMs ?? 2);
  const common = { cache: false, maxBatchSize: 500, batchScheduleFn: schedule };

  const deliveries = new DataLoader<string, DeliveryForSending | null>(
    (ids) => loadDeliveriesForSending(db, ids),
    common,
  );
  const webhooks = new DataLoader<string, SendingWebhook | null>((ids) => loadWebhooksForSending(db, ids), common);
  const attempts = new DataLoader<AttemptRecord, AttemptOutcome | null>(
    (records) => recordAttempts(db, records, options.maxAttempts),
    common,
  );
  const firstAttempts = new DataLoader<FirstAttemptRecord, AttemptOutcome | null>(
    (records) => bookFirstAttempts(db, records, options.maxAttempts),
    common,
  );

  return {
    loadDelivery: (id) => deliveries.load(id),
    loadWebhook: (id) => webhooks.load(id),
    recordAttempt: (record) => attempts.load(record),
    bookFirstAttempt: (record) => firstAttempts.load(record),
  };
}
