import { startReceiver } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { carrierOf, startSendSpan, startServerSpan } from "./spans.js";
import { startTracing, type Tracing, TracingConfigError, tracingEnabled } from "./tracing.js";

const OTEL = /^OTEL_/;

describe("startTracing", () => {
  let tracing: Tracing | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
    process.env = { ...saved };
  });
  function setEnv(env: Record<string, string>): void {
    for (const key of Object.keys(process.env)) if (OTEL.test(key)) delete process.env[key];
    Object.assign(process.env, env);
  }

  it("is off without OTEL settings: no spans, no carriers", async () => {
    setEnv({});
    tracing = await startTracing("hookyard-test");
    expect(tracing.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    const request = { method: "POST", route: "/x", scheme: "http" as const, headers: {} };
    expect(startServerSpan(request)).toBeUndefined();
    expect(startSendSpan("events", 1, undefined)).toBeUndefined();
    expect(carrierOf(undefined)).toBeUndefined();
  });

  it.each<Record<string, string>>([
    { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" },
    { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_TRACES_EXPORTER: "none" },
  ])("stays off when the settings turn it off: %o", async (env) => {
    setEnv(env);
    tracing = await startTracing("hookyard-test");
    expect(tracing.enabled).toBe(false);
  });

  it("refuses a protocol it cannot speak, naming the setting", async () => {
    setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" });
    await expect(startTracing("hookyard-test")).rejects.toThrow(TracingConfigError);
    await expect(startTracing("hookyard-test")).rejects.toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL "grpc" is not supported/);
  });

  it("exports over OTLP/HTTP protobuf by default, to the endpoint's /v1/traces", async () => {
    const collector = await startReceiver(() => ({ status: 200 }));
    try {
      setEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: "renamed-by-operator" });
      tracing = await startTracing("hookyard-test");
      expect(tracing.enabled).toBe(true);
      const span = startServerSpan({ method: "POST", route: "/api/v1/ingest/harbor", scheme: "http", headers: {} });
      const carrier = carrierOf(span);
      expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      span?.end();
      await tracing.shutdown();
      tracing = undefined;
      const [request] = await collector.waitForRequests(1);
      expect(request?.path).toBe("/v1/traces");
      expect(request?.headers["content-type"]).toBe("application/x-protobuf");
      // Protobuf carries strings as they are: the span's name and the operator's service name.
      expect(request?.body).toContain("POST /api/v1/ingest/harbor");
      expect(request?.body).toContain("renamed-by-operator");
    } finally {
      await collector.close();
    }
  });

  it("continues a caller's trace from its traceparent header, and stops cleanly with the collector away", async () => {
    // The default endpoint (127.0.0.1:4318) where nothing listens: shutdown must still resolve.
    setEnv({ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_TIMEOUT: "1000" });
    tracing = await startTracing("hookyard-test");
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const span = startServerSpan({ method: "POST", route: "/x", scheme: "http", headers: { traceparent } });
    expect(span?.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    span?.end();
  });
});
