export * from "./database.js";
export * from "./distribution-events.js";
export * from "./queue-keys.js";
export * from "./raw-receiver.js";
export * from "./receiver.js";
export * from "./redis-server.js";
export * from "./registry-kit.js";
export * from "./wait-for.js";
