export * from "./http-transport.js";
export * from "./user-agent.js";
