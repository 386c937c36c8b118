import { queueLabel } from "@hookyard/queues";
import { DelayedError, type Job } from "bullmq";
import { metrics } from "../metrics.js";

/** Kept in a job's data while it waits out a store outage. */
export interface StoreWait {
  storeWaitSince?: number;
}

/** How soon a job put back for the store is due again; the paused workers do not take it before
 * the store answers, so this is no busy loop. */
const STORE_RETRY_DELAY_MS = 1_000;

/**
 * Puts a job back to wait for Postgres without spending one of its attempts: the store being away
 * says nothing about the work. `data` is what the job carries meanwhile (a sent attempt to book).
 * A job that has waited longer than `limitMs` in all fails with `error`, as any failure would.
 */
export async function waitForStore<T extends StoreWait>(
  job: Job<T>,
  token: string | undefined,
  data: T,
  limitMs: number,
  error: unknown,
): Promise<never> {
  const since = job.data.storeWaitSince ?? Date.now();
  if (Date.now() - since > limitMs) throw error;
  metrics.storeWait(queueLabel(job.queueName));
  await job.updateData({ ...data, storeWaitSince: since });
  await job.moveToDelayed(Date.now() + STORE_RETRY_DELAY_MS + Math.random() * 500, token);
  throw new DelayedError();
}
