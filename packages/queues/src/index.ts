export * from "./catalog.js";
export { createRedis, type RedisRole } from "./redis.js";
export * from "./redis-memory.js";
