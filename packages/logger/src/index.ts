export { createLogger, type Logger } from "./create-logger.js";
export { currentLogContext, withLogContext } from "./log-context.js";
export { redact } from "./redact.js";
