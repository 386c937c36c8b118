export * from "./http-transport.js";
export * from "./send-delivery.js";
export * from "./user-agent.js";
