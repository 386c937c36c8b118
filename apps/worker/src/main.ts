import { runProcess } from "@hookyard/config";
import { createLogger } from "@hookyard/logger";
import { startWorker } from "./worker.js";

await runProcess("hookyard-worker", (config) =>
  startWorker(config, createLogger({ service: "worker", level: config.logLevel })),
);
