import type { Redis } from "ioredis";
import type { Queues } from "./catalog.js";

/** What Redis says of its memory (INFO memory), which every Redis, managed ones included, answers. */
export interface RedisMemory {
  usedBytes: number;
  /** 0: no limit. */
  maxBytes: number;
  policy: string;
}

export async function readRedisMemory(redis: Redis): Promise<RedisMemory> {
  const info = await redis.info("memory");
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim() ?? "";
  return {
    usedBytes: Number(field("used_memory")),
    maxBytes: Number(field("maxmemory")),
    policy: field("maxmemory_policy"),
  };
}

/**
 * Redis must refuse writes when full rather than evict: an evicting policy deletes queued jobs,
 * which are the only copy of an event answered 202 before its fan-out. Null when the policy is
 * right, else what is wrong, for the log and for the 503.
 */
export function evictionProblem(memory: RedisMemory): string | null {
  if (memory.policy === "noeviction") return null;
  return `Redis maxmemory-policy is "${memory.policy}": it may delete queued jobs when full; set it to noeviction`;
}

/** Events waiting to be fanned out: the queue's backlog, which ingest keeps bounded. */
export async function eventBacklog(queues: Queues): Promise<number> {
  const counts = await queues.events.getJobCounts("waiting", "prioritized", "delayed");
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}
