import { runProcess } from "@hookyard/config";
import { createLogger } from "@hookyard/logger";
import { startTracing } from "@hookyard/telemetry";
import { startApi } from "./server.js";

await runProcess("hookyard-api", async (config) => {
  // Off unless the OTEL_* settings name an OTLP endpoint (packages/telemetry).
  const tracing = await startTracing("hookyard-api");
  const api = await startApi(config, createLogger({ service: "api", level: config.logLevel }));
  return {
    async close() {
      await api.close();
      await tracing.shutdown();
    },
  };
});
