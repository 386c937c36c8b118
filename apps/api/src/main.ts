import { runProcess } from "@hookyard/config";
import { createLogger } from "@hookyard/logger";
import { startApi } from "./server.js";

await runProcess("hookyard-api", (config) =>
  startApi(config, createLogger({ service: "api", level: config.logLevel })),
);
