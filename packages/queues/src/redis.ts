import { Redis } from "ioredis";

/**
 * "producer": the API. It must answer 503 fast when Redis is down rather than queue commands in
 * memory and hang the request, so the offline queue is off and a command fails after one retry.
 * "worker": BullMQ workers block on Redis and must wait out an outage, so they retry forever.
 */
export type RedisRole = "producer" | "worker";

export function createRedis(url: string, role: RedisRole): Redis {
  if (role === "worker") {
    return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  }
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 200, 1_000),
  });
}
