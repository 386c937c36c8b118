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

const READ_WINDOW_MS = 2;
const BOOKING_WINDOW_MS = 10;

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
export function createBatchedStore(db: Db, options: { maxAttempts: number }): DeliveryStore {
  const within = (ms: number) => ({
    cache: false,
    maxBatchSize: 500,
    batchScheduleFn: (run: () => void) => setTimeout(run, ms),
  });
  // Reads stand between a delivery and its POST: gathered briefly. A booking comes after the POST
  // (the receiver has its request already), so it waits longer for company: at 2,000 deliveries a
  // second, 10 ms makes one statement of 20 bookings instead of five of 4.
  const common = within(READ_WINDOW_MS);
  const booking = within(BOOKING_WINDOW_MS);

  const deliveries = new DataLoader<string, DeliveryForSending | null>(
    (ids) => loadDeliveriesForSending(db, ids),
    common,
  );
  const webhooks = new DataLoader<string, SendingWebhook | null>((ids) => loadWebhooksForSending(db, ids), common);
  const attempts = new DataLoader<AttemptRecord, AttemptOutcome | null>(
    (records) => recordAttempts(db, records, options.maxAttempts),
    booking,
  );
  const firstAttempts = new DataLoader<FirstAttemptRecord, AttemptOutcome | null>(
    (records) => bookFirstAttempts(db, records, options.maxAttempts),
    booking,
  );

  return {
    loadDelivery: (id) => deliveries.load(id),
    loadWebhook: (id) => webhooks.load(id),
    recordAttempt: (record) => attempts.load(record),
    bookFirstAttempt: (record) => firstAttempts.load(record),
  };
}
