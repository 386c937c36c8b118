import { storeErrorReason } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";

export interface Repeating {
  /** Stops the timer and waits for a round under way. */
  stop(): Promise<void>;
}

/**
 * Runs `round` every `intervalMs` (and once now, with `now`), never two rounds at once: a round
 * still going when the timer fires is left to finish. A round that throws (Postgres or Redis away)
 * is logged as `failed` says, and the next one tries again; the store gate says the rest.
 */
export function every(
  intervalMs: number,
  round: () => Promise<unknown>,
  options: { logger: Logger; failed: string; now?: boolean },
): Repeating {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = round()
      .catch((error: unknown) => options.logger.warn(options.failed, { reason: storeErrorReason(error) }))
      .finally(() => {
        busy = false;
      });
  };
  if (options.now) tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
