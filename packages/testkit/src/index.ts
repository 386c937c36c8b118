export * from "./database.js";
export * from "./receiver.js";
export * from "./registry-kit.js";
export * from "./wait-for.js";
