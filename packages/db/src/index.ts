export { createDb, type Db } from "./client.js";
export * from "./generated/prisma/client.js";
export { ID_PREFIX, newId } from "./ids.js";
export { ensureDatabase, MIGRATIONS_DIR, MigrationError, type MigrationResult, migrate } from "./migrate.js";
export * from "./stores/attempts.js";
export * from "./stores/deliveries.js";
export * from "./stores/events.js";
export * from "./stores/users.js";
export * from "./stores/webhooks.js";
