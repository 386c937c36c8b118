import { readFileSync } from "node:fs";
import { StartupError } from "@hookyard/config";
import { type Context, context, propagation, ROOT_CONTEXT, type Tracer, trace } from "@opentelemetry/api";

/** An OTEL_* setting Hookyard cannot honour: the process does not start, saying which. */
export class TracingConfigError extends StartupError {
  override name = "TracingConfigError";
}

export interface Tracing {
  /** Spans are recorded and exported. When false every helper here is a no-op that allocates nothing. */
  readonly enabled: boolean;
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

type Env = Record<string, string | undefined>;

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};
const OFF: Tracing = { enabled: false, shutdown: async () => {} };
let enabled = false;

/** Whether this process records spans: the hot path asks this before building any span. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** The tracer of Hookyard's own spans (a no-op one while tracing is off). */
export function tracer(): Tracer {
  return trace.getTracer("hookyard");
}

/**
 * Starts tracing when the standard OTLP settings ask for it: an endpoint
 * (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT) or OTEL_TRACES_EXPORTER=otlp.
 * Off otherwise, with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none: a process that exports
 * nowhere must not pay for spans. Over OTLP/HTTP, protobuf by default or JSON; the exporter and the
 * batch processor read the other OTEL_* settings themselves (headers, timeout, compression,
 * OTEL_BSP_*), the resource reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 *
 * The SDK and the exporter are loaded only then: a process exporting nowhere carries the API alone
 * (3.8 MB of memory, where the SDK and exporter add 7 MB more; decision 0016).
 */
export async function startTracing(serviceName: string): Promise<Tracing> {
  // The exporter and the batch processor read process.env themselves: so does this.
  const env: Env = process.env;
  if (!wanted(env)) return OFF;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    throw new TracingConfigError(
      `OTEL_EXPORTER_OTLP_PROTOCOL "${protocol}" is not supported: use http/protobuf (the default) or http/json, to the collector's OTLP/HTTP port (4318)`,
    );
  }
  const [{ BatchSpanProcessor, NodeTracerProvider }, { detectResources, envDetector, resourceFromAttributes }] =
    await Promise.all([import("@opentelemetry/sdk-trace-node"), import("@opentelemetry/resources")]);
  const { OTLPTraceExporter } =
    protocol === "http/json"
      ? await import("@opentelemetry/exporter-trace-otlp-http")
      : await import("@opentelemetry/exporter-trace-otlp-proto");
  const exporter = new OTLPTraceExporter();
  const resource = resourceFromAttributes({ "service.name": serviceName, "service.version": version }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  // Sets the W3C trace-context propagator that carry/parentFrom use, and the tracer above.
  provider.register();
  enabled = true;
  return {
    enabled: true,
    async shutdown() {
      enabled = false;
      // A collector that is away must not make a clean stop fail: the spans are lost, said once.
      await provider.shutdown().catch((error: unknown) => {
        process.stderr.write(`${serviceName}: spans not exported at stop: ${(error as Error)?.message ?? error}\n`);
      });
      // A process (a test) may start tracing again: the API's globals take a new provider then.
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

function wanted(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(",").map((e) => e.trim().toLowerCase());
  if (exporters?.includes("none")) return false;
  if (exporters?.includes("otlp")) return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

/** A span's context as it travels in a job's data: W3C `traceparent` (and `tracestate`). */
export type TraceCarrier = Record<string, string>;

/** The carrier of `context`'s span, or undefined while tracing is off (the job's data stays as it was). */
export function carry(context: Context): TraceCarrier | undefined {
  if (!enabled) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context, carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** The context a carrier (a job's, a request's headers) continues; the root context without one. */
export function parentFrom(carrier: Readonly<Record<string, unknown>> | undefined): Context {
  if (!enabled || !carrier) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier);
}
