export * from "./catalog.js";
export { createRedis, type RedisRole } from "./redis.js";
