export * from "./database.js";
export * from "./receiver.js";
export * from "./wait-for.js";
export * from "./registry-kit.js";
