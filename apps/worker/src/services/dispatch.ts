import type { AcceptedEvent, Admission, Ticket } from "@hookyard/core";
import { type Db, type FanOutChunk, insertPendingDeliveries, type MatchedDelivery } from "@hookyard/db";
import { type QueuedDelivery, type Queues, queueDeliveries } from "@hookyard/queues";
import type { SpanLink } from "@hookyard/telemetry";
import { metrics } from "../metrics.js";
import { type AttemptDeps, BookingError, type DeliveryOutcome, runAttempt } from "./attempt.js";
import { waitForRoom } from "./room.js";

export interface DispatchDeps extends AttemptDeps {
  db: Db;
  queues: Queues;
  admission: Admission;
  /** First attempts this process makes at once, beside its delivery jobs (HOOKYARD_WORKER_CONCURRENCY). */
  limit: number;
}

export interface Dispatch {
  /**
   * Takes a chunk fan-out yielded: of the unwritten deliveries, sends those it can at once and
   * writes the rest pending; queues every pending one as a delivery job. Resolves once those are
   * written and queued; the attempts made here go on. `traces`, by event id, are the events' jobs'
   * spans (tracing on): the attempts and jobs made for an event continue its trace.
   */
  take(
    chunk: FanOutChunk,
    events: ReadonlyMap<string, AcceptedEvent>,
    traces?: ReadonlyMap<string, SpanLink>,
  ): Promise<void>;
  /**
   * Resolves when every attempt made here for the event is booked or queued as a job; rejects when
   * one of them could not be, so that the event's job runs again and writes it pending.
   */
  settled(eventId: string): Promise<void>;
}

/** How soon an attempt that went out while Postgres was away is tried again for booking. */
const STORE_WAIT_MS = 1_000;
/** How long fan-out waits for room among the attempts made here before it writes the rest pending. */
const WAIT_FOR_ROOM_MS = 200;

/**
 * Decides, for what fan-out yields, what to send now and what to queue (decision 0015): a delivery
 * of a fresh event whose webhook answers fast (or is not known yet, within its lane) is sent from
 * here, without a job, and written once with its first attempt; the event's job stays active until
 * that is booked, so a worker that dies meanwhile loses nothing (the event's job runs again and
 * writes those deliveries pending). Everything else is a delivery job: a slow webhook's is queued
 * already deferred (Admission.deferMs), so that thousands of them are not taken and put back at once.
 */
export function createDispatch(deps: DispatchDeps): Dispatch {
  const { admission, logger } = deps;
  const byEvent = new Map<string, { attempts: Set<Promise<void>>; error?: unknown }>();
  /** Deliveries sent from here right now: a fan-out run again meanwhile must not queue them too. */
  const sending = new Set<string>();
  /** Requests out from here: what `limit` bounds. An attempt waiting for its booking holds no socket,
   * and a slow Postgres must not hold back sending (its bookings wait in memory meanwhile). */
  let requests = 0;
  const room = waitForRoom();

  /** A delivery's job: deferred for a slow webhook, carrying its event's trace when there is one. */
  const queued = (delivery: MatchedDelivery, traces: ReadonlyMap<string, SpanLink> | undefined): QueuedDelivery => {
    const carrier = traces?.get(delivery.eventId)?.carrier;
    const job: QueuedDelivery = carrier ? { ...delivery, trace: carrier } : delivery;
    const now = performance.now();
    const lane = admission.lane(delivery.webhookId, now);
    return lane === "slow" ? { ...job, delayMs: admission.deferMs(delivery.webhookId, now) } : job;
  };

  async function attempt(delivery: MatchedDelivery, event: AcceptedEvent, ticket: Ticket, trace?: SpanLink) {
    let outcome: DeliveryOutcome;
    try {
      outcome = await runAttempt(
        deps,
        { unwritten: delivery, event },
        (timing) => {
          admission.release(ticket, timing, performance.now());
          requests--;
          room.freed();
        },
        trace?.context,
      );
    } catch (error) {
      if (!(error instanceof BookingError)) throw error;
      // A row Postgres refuses, a bug: a delivery job books it (or dead-letters it, saying why).
      logger.warn("first attempt handed to a delivery job", { deliveryId: delivery.id, error: error.cause });
      await queueDeliveries(deps.queues, [{ ...delivery, sent: error.sent }]);
      return;
    }
    if (outcome.kind === "retry") {
      // Written pending by the booking: the reconciler queues it if Redis refuses now.
      await queueDeliveries(deps.queues, [{ ...delivery, delayMs: outcome.delayMs, trace: trace?.carrier }]).catch(
        (error: unknown) =>
          logger.error("delivery not queued; the reconciler will", { deliveryId: delivery.id, error }),
      );
    } else if (outcome.kind === "store-wait") {
      await queueDeliveries(deps.queues, [
        { ...delivery, delayMs: STORE_WAIT_MS, sent: outcome.sent, trace: trace?.carrier },
      ]);
    } else if (outcome.kind === "deferred") {
      // Its webhook's rate limit or a 429's hold (decision 0021): written pending, as fan-out writes
      // what it does not send, and queued for its slot. A run that wrote it meanwhile queued the
      // same job id, which this does not duplicate.
      await insertPendingDeliveries(deps.db, [delivery]);
      await queueDeliveries(deps.queues, [{ ...delivery, delayMs: outcome.delayMs, trace: trace?.carrier }]);
    }
  }

  function track(delivery: MatchedDelivery, work: Promise<void>): void {
    const entry = byEvent.get(delivery.eventId) ?? { attempts: new Set<Promise<void>>() };
    byEvent.set(delivery.eventId, entry);
    const tracked = work.catch((error: unknown) => {
      entry.error ??= error;
    });
    entry.attempts.add(tracked);
    sending.add(delivery.id);
    void tracked.finally(() => {
      sending.delete(delivery.id);
      entry.attempts.delete(tracked);
    });
  }

  return {
    async take({ kind, deliveries }, events, traces) {
      const toQueue: QueuedDelivery[] = [];
      const toWrite: MatchedDelivery[] = [];
      // Fan-out waits a little for room rather than queue: that keeps it at the pace deliveries go
      // out, and them off the queue. The wait is the chunk's, not each delivery's: past it, the
      // rest of the chunk is queued.
      const waitUntil = performance.now() + WAIT_FOR_ROOM_MS;
      for (const delivery of deliveries) {
        if (sending.has(delivery.id)) continue;
        const event = events.get(delivery.eventId);
        // Only a webhook that answers fast is sent to from here: the event's job waits for the
        // answer, and a receiver that stopped answering must not hold the fan-out (fairness).
        const sendable =
          kind === "unwritten" && event && admission.lane(delivery.webhookId, performance.now()) !== "slow";
        let ticket: Ticket | null = null;
        if (sendable) {
          await room.wait(Math.max(0, waitUntil - performance.now()), () => {
            ticket = requests < deps.limit ? admission.take(delivery.webhookId, performance.now()) : null;
            return ticket !== null;
          });
        }
        if (ticket && event) {
          requests++;
          track(delivery, attempt(delivery, event, ticket, traces?.get(delivery.eventId)));
          continue;
        }
        if (kind === "unwritten") toWrite.push(delivery);
        else toQueue.push(queued(delivery, traces));
      }
      if (toWrite.length > 0) {
        for (const written of await insertPendingDeliveries(deps.db, toWrite)) toQueue.push(queued(written, traces));
      }
      if (toQueue.length > 0) {
        metrics.deferred(toQueue.filter((d) => d.delayMs).length);
        await queueDeliveries(deps.queues, toQueue);
      }
    },
    async settled(eventId) {
      const entry = byEvent.get(eventId);
      if (!entry) return;
      while (entry.attempts.size > 0) await Promise.all(entry.attempts);
      if (byEvent.get(eventId) === entry) byEvent.delete(eventId);
      if (entry.error !== undefined) throw entry.error;
    },
  };
}
