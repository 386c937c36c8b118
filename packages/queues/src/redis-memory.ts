import type { Queues } from "./catalog.js";
import { isCluster, type RedisConnection } from "./redis.js";

/** What Redis says of its memory (INFO memory), which every Redis, managed ones included, answers. */
export interface RedisMemory {
  usedBytes: number;
  /** 0: no limit. */
  maxBytes: number;
  policy: string;
  /** In a cluster, the master this was read from (host:port). */
  node?: string;
}

function parseMemory(info: string): RedisMemory {
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim() ?? "";
  return {
    usedBytes: Number(field("used_memory")),
    maxBytes: Number(field("maxmemory")),
    policy: field("maxmemory_policy"),
  };
}

function share(memory: RedisMemory): number {
  return memory.maxBytes > 0 ? memory.usedBytes / memory.maxBytes : 0;
}

/**
 * One Redis's memory or, in a cluster, the master's that matters most: each master holds the
 * queues of its own slots and fills up on its own, and one that may evict or is nearest its limit
 * is what ingest and fan-out must heed. A master known to the client but not answering fails the
 * read, as a single Redis that is away does.
 */
export async function readRedisMemory(redis: RedisConnection): Promise<RedisMemory> {
  if (!isCluster(redis)) return parseMemory(await redis.info("memory"));
  // The masters are known once the client is ready: a command waits for that (a worker's client)
  // or fails at once (the API's), as a command to one Redis would.
  if (redis.status !== "ready") await redis.ping();
  const masters = redis.nodes("master");
  if (masters.length === 0) throw new Error("no Redis Cluster master is known yet");
  const memories = await Promise.all(
    masters.map(async (master) => ({
      ...parseMemory(await master.info("memory")),
      node: `${master.options.host}:${master.options.port}`,
    })),
  );
  return memories.reduce((worst, memory) => {
    if ((worst.policy === "noeviction") !== (memory.policy === "noeviction")) {
      return memory.policy === "noeviction" ? worst : memory;
    }
    return share(memory) > share(worst) ? memory : worst;
  });
}

/**
 * Redis must refuse writes when full rather than evict: an evicting policy deletes queued jobs,
 * which are the only copy of an event answered 202 before its fan-out. Null when the policy is
 * right, else what is wrong, for the log and for the 503.
 */
export function evictionProblem(memory: RedisMemory): string | null {
  if (memory.policy === "noeviction") return null;
  const where = memory.node ? ` on the cluster master ${memory.node}` : "";
  return `Redis maxmemory-policy is "${memory.policy}"${where}: it may delete queued jobs when full; set it to noeviction`;
}

/** Events waiting to be fanned out: the queue's backlog, which ingest keeps bounded. */
export async function eventBacklog(queues: Queues): Promise<number> {
  const counts = await queues.events.getJobCounts("waiting", "prioritized", "delayed");
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Deliveries waiting to be sent, over every shard. */
export async function deliveryBacklog(queues: Queues): Promise<number> {
  const waiting = await Promise.all(queues.deliveryShards.map((queue) => queue.getWaitingCount()));
  return waiting.reduce((sum, n) => sum + n, 0);
}
