import { classifyStoreError, storeErrorReason } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { Intake } from "./intake.js";

export interface StoreGate {
  /**
   * Whether `error` means Postgres is away. If so, job intake stops (the workers are paused, so
   * they do not spin through the queue failing job after job) and a probe asks Postgres until it
   * answers, then intake resumes. Said once in the log each way, not once per job.
   */
  isOutage(error: unknown): boolean;
  /** Whether Postgres was found away and has not answered a probe since. */
  isAway(): boolean;
  /** The workers' intakes it holds while Postgres is away. */
  attach(intakes: readonly Intake[]): void;
  close(): void;
}

const REASON = "postgres unavailable";
const FIRST_PROBE_MS = 250;
const MAX_PROBE_MS = 5_000;

export function createStoreGate(probe: () => Promise<unknown>, logger: Logger): StoreGate {
  let intakes: readonly Intake[] = [];
  let downSince: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const check = async (delayMs: number) => {
    try {
      await probe();
    } catch {
      if (!closed) timer = setTimeout(() => check(Math.min(delayMs * 2, MAX_PROBE_MS)), delayMs);
      return;
    }
    const outageMs = Date.now() - (downSince ?? Date.now());
    downSince = null;
    if (closed) return;
    for (const intake of intakes) intake.release(REASON);
    logger.info("Postgres answers again; job intake resumed", { outageMs });
  };

  return {
    isOutage(error) {
      if (classifyStoreError(error) !== "unavailable") return false;
      if (downSince === null && !closed) {
        downSince = Date.now();
        logger.warn("Postgres is unavailable; job intake paused until it answers", {
          reason: storeErrorReason(error),
        });
        for (const intake of intakes) intake.hold(REASON);
        timer = setTimeout(() => check(FIRST_PROBE_MS), FIRST_PROBE_MS);
      }
      return true;
    },
    isAway() {
      return downSince !== null;
    },
    attach(list) {
      intakes = list;
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
