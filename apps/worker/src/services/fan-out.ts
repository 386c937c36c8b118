import type { AcceptedEvent } from "@hookyard/core";
import { type ClaimedEvent, claimEventsForFanOut, type Db, fanOutChunks, UnstorableItemError } from "@hookyard/db";
import { linkOf, type MaybeSpan, type SpanLink } from "@hookyard/telemetry";
import DataLoader from "dataloader";
import type { Dispatch } from "./dispatch.js";

/** One event's fan-out: under the id it is stored with (its first copy's, for a repeat). */
export interface FannedOut {
  eventId: string;
  deliveries: number;
  chainRuns: string[];
}

export interface FanOut {
  /** Fans one event out, batched with the events other jobs fan out at the same moment; its
   * attempts and delivery jobs continue the trace of `span` (its job's). */
  run(event: AcceptedEvent, span?: MaybeSpan): Promise<FannedOut>;
}

/**
 * The events of concurrent jobs, gathered for a couple of milliseconds, are claimed and fanned out
 * together (packages/db stores/fan-out.ts): set-based statements cost about the same for one event
 * as for a hundred. Each chunk of deliveries goes to the dispatch as it is yielded, so the first go
 * out while the rest of a wide fan-out is still being matched and written. An event Postgres
 * refuses fails its own job only (an UnstorableItemError, dead-lettered by the processor).
 */
export function createFanOut(db: Db, dispatch: Dispatch, windowMs = 2): FanOut {
  const loader = new DataLoader<{ event: AcceptedEvent; span: MaybeSpan }, FannedOut>(
    async (keys) => {
      const claimed = await claimEventsForFanOut(
        db,
        keys.map((k) => k.event),
      );
      const stored = claimed.filter((c): c is ClaimedEvent => !(c instanceof UnstorableItemError));
      const byId = new Map(stored.map((c) => [c.id, { ...c.event, id: c.id }]));
      const traces = new Map<string, SpanLink>();
      claimed.forEach((c, i) => {
        const trace = linkOf(keys[i]?.span);
        if (trace && !(c instanceof UnstorableItemError)) traces.set(c.id, trace);
      });
      const chunks = fanOutChunks(db, stored);
      let step = await chunks.next();
      while (!step.done) {
        await dispatch.take(step.value, byId, traces);
        step = await chunks.next();
      }
      const summaries = step.value;
      return claimed.map((c) => {
        if (c instanceof UnstorableItemError) return c;
        const summary = summaries.get(c.id);
        return {
          eventId: c.id,
          deliveries: summary?.deliveries ?? 0,
          chainRuns: summary?.chainRuns.map((run) => run.runId) ?? [],
        };
      });
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setTimeout(run, windowMs) },
  );
  return { run: (event, span) => loader.load({ event, span }) };
}
