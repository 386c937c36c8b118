import type { Logger } from "@hookyard/logger";
import { eventBacklog, evictionProblem, type Queues, type RedisConnection, readRedisMemory } from "@hookyard/queues";
import { isProgrammingError } from "./programming-error.js";

export interface Backpressure {
  /** Why ingest must refuse events now, or null. Read on every ingest request, so it only reads
   * what a poll stored. */
  reason(): string | null;
  close(): void;
}

export interface BackpressureOptions {
  /** Share of Redis's maxmemory past which ingest refuses (HOOKYARD_QUEUE_MEMORY_HIGH_WATER). */
  memoryHighWater: number;
  /** Events waiting for fan-out past which ingest refuses (HOOKYARD_QUEUE_MAX_BACKLOG). */
  maxBacklog: number;
  intervalMs?: number;
}

/**
 * Ingest stops taking events (503 with Retry-After) before Redis is full, not when it is: a Redis
 * at its maxmemory refuses the workers' own scripts too, so nothing drains and nothing recovers.
 * Below the high-water mark the workers always have room to finish jobs; once they have drained
 * below it, ingest takes events again by itself. Redis is polled ten times a second rather than
 * asked per request; what arrives between two polls is the overshoot the headroom absorbs.
 */
export function watchBackpressure(
  redis: RedisConnection,
  queues: Queues,
  options: BackpressureOptions,
  logger: Logger,
): Backpressure {
  let current: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let reportedBug = false;

  const poll = async () => {
    let next: string | null = null;
    try {
      const [memory, backlog] = await Promise.all([readRedisMemory(redis), eventBacklog(queues)]);
      const limit = memory.maxBytes * options.memoryHighWater;
      next = evictionProblem(memory);
      if (!next && memory.maxBytes > 0 && memory.usedBytes >= limit) {
        next = `the event queue is near its memory limit (Redis holds ${memory.usedBytes} of ${memory.maxBytes} bytes); retry later`;
      }
      if (!next && backlog >= options.maxBacklog) {
        next = `the event queue holds ${backlog} events waiting for delivery; retry later`;
      }
    } catch (error) {
      // Redis away: enqueueing fails by itself and answers 503; nothing to add here. A bug would
      // leave ingest without backpressure: said once, not ten times a second.
      if (isProgrammingError(error) && !reportedBug) {
        reportedBug = true;
        logger.error("backpressure could not read Redis's memory and backlog", { error });
      }
    }
    if (next && !current) logger.warn("ingest refuses events: backpressure", { reason: next });
    if (!next && current) logger.info("ingest takes events again");
    current = next;
    if (!closed) timer = setTimeout(poll, options.intervalMs ?? 100);
  };
  void poll();

  return {
    reason: () => current,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
