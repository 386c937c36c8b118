import { classifyStoreError } from "@hookyard/db";

/**
 * What ioredis says of a Redis it cannot reach or that does not answer in time. The API's
 * connection has no offline queue, one retry and a command timeout (packages/queues/src/redis.ts),
 * so an outage reaches a caller as one of these rather than as a hang.
 */
const REDIS_AWAY = [
  "enableOfflineQueue options is false",
  "max retries per request",
  "Connection is closed",
  "Command timed out",
  "Failed to refresh slots cache",
  "None of startup nodes is available",
  "CLUSTERDOWN",
];

/**
 * True when `error` says Redis or Postgres is away (refused, cut, timed out): an answer to retry
 * later. Anything else (a statement Postgres refused, a bug) is not an outage, and a caller that
 * turned it into a 503 would hide it.
 */
export function storesAway(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message === "string" && REDIS_AWAY.some((words) => message.includes(words))) return true;
  return classifyStoreError(error) === "unavailable";
}
