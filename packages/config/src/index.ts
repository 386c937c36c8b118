export { type Config, ConfigError, loadConfig } from "./load-config.js";
export { runProcess, StartupError } from "./run-process.js";
