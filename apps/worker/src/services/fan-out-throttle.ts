import type { Logger } from "@hookyard/logger";
import { deliveryBacklog, type Queues, type RedisConnection, readRedisMemory } from "@hookyard/queues";
import type { Intake } from "./intake.js";

const REASON = "redis near its memory limit";

export interface FanOutThrottle {
  close(): void;
}

/**
 * Fan-out turns one queued event into a job per matching webhook, so it grows Redis while delivery
 * shrinks it. Ingest stops at HOOKYARD_QUEUE_MEMORY_HIGH_WATER; past the midpoint between that and
 * maxmemory, fan-out pauses while there are deliveries to drain, and resumes below a quarter of the
 * way or once none wait, so the workers' own writes never meet a full Redis (which refuses them, and
 * then nothing drains) and fan-out never waits on a drain that cannot come.
 */
export function throttleFanOut(
  redis: RedisConnection,
  queues: Queues,
  events: Intake,
  highWater: number,
  logger: Logger,
  intervalMs = 250,
): FanOutThrottle {
  const pauseAt = (1 + highWater) / 2;
  const resumeBelow = highWater + (1 - highWater) / 4;
  let paused = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const poll = async () => {
    try {
      const [memory, waiting] = await Promise.all([readRedisMemory(redis), deliveryBacklog(queues)]);
      const share = memory.maxBytes > 0 ? memory.usedBytes / memory.maxBytes : 0;
      if (!paused && share >= pauseAt && waiting > 0) {
        paused = true;
        logger.warn("fan-out paused: Redis is near its memory limit; deliveries drain first", { share, waiting });
        events.hold(REASON);
      } else if (paused && (share < resumeBelow || waiting === 0)) {
        paused = false;
        events.release(REASON);
        logger.info("fan-out resumed", { share, waiting });
      }
    } catch {
      // Redis away: the workers wait for it by themselves.
    }
    if (!closed) timer = setTimeout(poll, intervalMs);
  };
  void poll();

  return {
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
