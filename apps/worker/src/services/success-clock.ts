import { type Db, recordWebhookSuccesses } from "@hookyard/db";

export interface SuccessClock {
  note(webhookId: string, at: Date): void;
  close(): Promise<void>;
}

/**
 * Each webhook's last success time, written at most once a second per webhook rather than with
 * every delivery: a row that every successful delivery of a busy webhook updates is a hot row, on
 * whose lock concurrent batches (and two workers) queue and deadlock. A flush that meets a store
 * outage keeps its times for the next one.
 */
export function createSuccessClock(db: Db, intervalMs = 1_000): SuccessClock {
  let pending = new Map<string, Date>();
  let flushing: Promise<void> = Promise.resolve();

  const note = (webhookId: string, at: Date) => {
    const known = pending.get(webhookId);
    if (!known || known < at) pending.set(webhookId, at);
  };
  const flush = () => {
    if (pending.size === 0) return flushing;
    const batch = pending;
    pending = new Map();
    flushing = recordWebhookSuccesses(db, [...batch]).catch(() => {
      // Noted meanwhile may be older (deliveries finish out of order): the later time stays.
      for (const [id, at] of batch) note(id, at);
    });
    return flushing;
  };
  const timer = setInterval(flush, intervalMs);
  timer.unref();

  return {
    note,
    async close() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}
