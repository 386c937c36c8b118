import type { WebhookSlots } from "@hookyard/core";
import type { HandedOnDelivery } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { type Queues, queueDeliveries, queueDeliveryLater } from "@hookyard/queues";
import {
  bookAttempt,
  type DeliverDeps,
  type DeliverOutcome,
  reportAttempt,
  reportSkipped,
  type SentAttempt,
  sendOnce,
} from "./deliver.js";
import type { StoreGate } from "./store-gate.js";

export interface FirstAttemptsDeps extends DeliverDeps {
  queues: Queues;
  gate: StoreGate;
  slots: WebhookSlots;
  maxAttempts: number;
  /** First attempts this process makes at once, beside its delivery jobs (HOOKYARD_WORKER_CONCURRENCY). */
  limit: number;
  logger: Logger;
}

export interface FirstAttempts {
  /**
   * What fan-out does with the deliveries it stores: those it has just created are sent from here,
   * as far as the limit and each webhook's share allow; every other one is queued as a delivery job.
   * Resolves once those are queued; the attempts made here go on.
   */
  handOn(deliveries: HandedOnDelivery[], created: boolean): Promise<void>;
  /** Resolves when every attempt made here for the event's deliveries is booked, or queued as a job. */
  settled(eventId: string): Promise<void>;
}

/** How soon an attempt that went out while Postgres was away is tried again for booking. */
const STORE_WAIT_MS = 1_000;
/** A webhook whose attempts take longer is sent to by delivery jobs only (WebhookSlots.answersFast). */
const FAST_MS = 250;
/** How long fan-out waits for room among the attempts made here before it queues the rest. */
const WAIT_FOR_ROOM_MS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The first attempt of a delivery fan-out has just created, made by the worker that created it,
 * without a delivery job: a job costs about as much CPU as the POST and Postgres together
 * (docs/decisions/0012). The event's job stays active until its attempts are booked or handed to
 * delivery jobs, so a worker that dies meanwhile loses nothing: BullMQ gives the event's job to
 * another worker, whose fan-out finds those deliveries still pending and queues them, as it always
 * did after a crash. Whatever is left after the first attempt (a retry, a booking that waits for
 * Postgres, anything unexpected) becomes an ordinary delivery job under the delivery's id.
 */
export function createFirstAttempts(deps: FirstAttemptsDeps): FirstAttempts {
  const { queues, slots, logger } = deps;
  const byEvent = new Map<string, Set<Promise<void>>>();
  /** Deliveries sent from here right now: a fan-out run again meanwhile must not queue them too. */
  const sending = new Set<string>();
  const lastChance = deps.maxAttempts <= 1;

  const later = (delivery: HandedOnDelivery, delayMs: number, attempts: number, sent?: SentAttempt) =>
    queueDeliveryLater(queues, delivery, {
      delayMs,
      attempts,
      ...(sent ? { data: { sent, storeWaitSince: Date.now() } } : {}),
    });

  async function attempt(delivery: HandedOnDelivery, takenAt: number): Promise<void> {
    let sent: SentAttempt | undefined;
    let outcome: DeliverOutcome;
    try {
      try {
        const result = await sendOnce(deps, delivery.id, lastChance);
        if ("kind" in result) return reportSkipped(delivery.id, result.reason, logger);
        sent = result;
      } finally {
        slots.release(delivery.webhookId, takenAt);
      }
      outcome = await bookAttempt(deps, sent);
    } catch (error) {
      // Postgres away, a row it refuses, a bug: a delivery job takes it from here, with the attempt
      // that went out (if one did) to book, never to send again.
      const outage = deps.gate.isOutage(error);
      if (!outage) logger.warn("first attempt handed to a delivery job", { deliveryId: delivery.id, error });
      await queueOrSay(delivery, later(delivery, outage ? STORE_WAIT_MS : 0, deps.maxAttempts, sent));
      return;
    }
    await reportAttempt(deps, sent, outcome, logger);
    // This was the first of its series: the schedule has maxAttempts - 1 left.
    if (outcome.kind === "retry") await queueOrSay(delivery, later(delivery, outcome.delayMs, deps.maxAttempts - 1));
  }

  /** Redis refused too: the delivery is pending in Postgres, and the reconciler queues it within
   * HOOKYARD_RECONCILE_INTERVAL. */
  async function queueOrSay(delivery: HandedOnDelivery, queued: Promise<void>): Promise<void> {
    await queued.catch((error: unknown) =>
      logger.error("delivery not queued; the reconciler will", { deliveryId: delivery.id, error }),
    );
  }

  function track(delivery: HandedOnDelivery, work: Promise<void>) {
    const pending = byEvent.get(delivery.eventId) ?? new Set<Promise<void>>();
    byEvent.set(delivery.eventId, pending);
    pending.add(work);
    sending.add(delivery.id);
    void work.finally(() => {
      sending.delete(delivery.id);
      noteEnd();
      pending.delete(work);
      if (pending.size === 0 && byEvent.get(delivery.eventId) === pending) byEvent.delete(delivery.eventId);
    });
  }

  /** Resolves when an attempt made here ends, or after `ms`, whichever comes first. */
  let ended: { promise: Promise<void>; resolve: () => void } | null = null;
  const oneEnds = (ms: number) => {
    if (!ended) {
      let resolve = () => {};
      ended = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    }
    return Promise.race([ended.promise, sleep(ms)]);
  };
  const noteEnd = () => {
    ended?.resolve();
    ended = null;
  };

  /** Whether there is room for one more attempt here, waiting up to WAIT_FOR_ROOM_MS for it. */
  async function room(): Promise<boolean> {
    const until = performance.now() + WAIT_FOR_ROOM_MS;
    while (sending.size >= deps.limit) {
      const left = until - performance.now();
      if (left <= 0) return false;
      await oneEnds(left);
    }
    return true;
  }

  return {
    async handOn(deliveries, created) {
      const toQueue: Array<HandedOnDelivery & { delayMs?: number }> = [];
      let roomLeft = true;
      for (const delivery of deliveries) {
        if (sending.has(delivery.id)) continue;
        // Only a webhook that answers fast is sent to from here: the event's job waits for the
        // answer, and a receiver that stopped answering must not hold the fan-out's slots (it is
        // held back among the delivery jobs instead, fairness). Fan-out waits a little for room
        // rather than queue: that keeps it at the pace deliveries go out, and them off the queue.
        const fast = slots.answersFast(delivery.webhookId, FAST_MS);
        const eligible = created && roomLeft && fast;
        if (eligible) roomLeft = await room();
        const takenAt = eligible && roomLeft ? performance.now() : null;
        if (takenAt === null || !slots.take(delivery.webhookId, takenAt)) {
          // A slow webhook's delivery is queued to come up about when one of its slots frees, as a
          // job held back would: 5,000 of them queued at once are not taken and put back at once.
          toQueue.push(fast ? delivery : { ...delivery, delayMs: slots.holdBackMs(delivery.webhookId) });
          continue;
        }
        track(delivery, attempt(delivery, takenAt));
      }
      if (toQueue.length > 0) await queueDeliveries(queues, toQueue, deps.maxAttempts);
    },
    async settled(eventId) {
      const pending = byEvent.get(eventId);
      if (pending) await Promise.all(pending);
    },
  };
}
