export { type Config, ConfigError, loadConfig } from "./load-config.js";
export { runProcess } from "./run-process.js";
