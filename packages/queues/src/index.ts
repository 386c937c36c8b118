export * from "./catalog.js";
export {
  connectRedis,
  createRedis,
  isCluster,
  type RedisConnection,
  type RedisRole,
  type RedisSettings,
} from "./redis.js";
export * from "./redis-memory.js";
export { waitForReplica } from "./replication.js";
