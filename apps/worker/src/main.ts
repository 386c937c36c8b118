import { runProcess } from "@hookyard/config";
import { createLogger } from "@hookyard/logger";
import { startTracing } from "@hookyard/telemetry";
import { startWorker } from "./worker.js";

await runProcess("hookyard-worker", async (config) => {
  // Off unless the OTEL_* settings name an OTLP endpoint (packages/telemetry).
  const tracing = await startTracing("hookyard-worker");
  const worker = await startWorker(config, createLogger({ service: "worker", level: config.logLevel }));
  return {
    async close() {
      await worker.close();
      await tracing.shutdown();
    },
  };
});
