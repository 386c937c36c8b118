import { Cluster, Redis } from "ioredis";

async function deleteKeysOn(redis: Redis, pattern: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    // One key per DEL: a cluster node refuses a DEL of keys in different slots.
    if (keys.length) {
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.del(key);
      await pipeline.exec();
    }
    cursor = next;
  } while (cursor !== "0");
}

/**
 * Deletes every key under a queue prefix: what a test or a benchmark leaves behind in Redis. With
 * `cluster`, `redisUrl` is a Redis Cluster's comma-separated seeds and every master is swept.
 */
export async function deleteQueueKeys(redisUrl: string, prefix: string, cluster = false): Promise<void> {
  if (!cluster) {
    const redis = new Redis(redisUrl);
    try {
      await deleteKeysOn(redis, `${prefix}:*`);
    } finally {
      redis.disconnect();
    }
    return;
  }
  const seeds = redisUrl.split(",").map((seed) => {
    const url = new URL(seed);
    return { host: url.hostname, port: Number(url.port || 6379) };
  });
  const redis = new Cluster(seeds);
  try {
    await new Promise<void>((resolve, reject) => {
      redis.once("ready", resolve);
      redis.once("error", reject);
    });
    await Promise.all(redis.nodes("master").map((master) => deleteKeysOn(master, `${prefix}:*`)));
  } finally {
    redis.disconnect();
  }
}
