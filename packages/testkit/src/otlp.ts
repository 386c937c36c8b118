import { type Receiver, startReceiver } from "./receiver.js";

/** A span as an OTLP/HTTP JSON export carries it, with its resource's service name. */
export interface ExportedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        attributes?: OtlpAttribute[];
        status?: { code?: number };
      }>;
    }>;
  }>;
}

function attributesOf(list: OtlpAttribute[] = []): ExportedSpan["attributes"] {
  const out: ExportedSpan["attributes"] = {};
  for (const { key, value } of list) {
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
  }
  return out;
}

/**
 * An OTLP/HTTP trace receiver on loopback, as an OpenTelemetry Collector's `otlp` receiver serves it
 * (POST /v1/traces, JSON encoding: OTEL_EXPORTER_OTLP_PROTOCOL=http/json), keeping what it got.
 */
export async function startOtlpReceiver(): Promise<Receiver & { spans(): ExportedSpan[] }> {
  const receiver = await startReceiver(() => ({
    status: 200,
    headers: { "content-type": "application/json" },
    body: "{}",
  }));
  return {
    ...receiver,
    spans() {
      const spans: ExportedSpan[] = [];
      for (const request of receiver.requests) {
        if (request.path !== "/v1/traces") continue;
        for (const resourceSpans of (request.json as OtlpExport).resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)["service.name"] ?? "");
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                service,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? "",
                name: span.name,
                kind: span.kind,
                attributes: attributesOf(span.attributes),
                statusCode: span.status?.code ?? 0,
              });
            }
          }
        }
      }
      return spans;
    },
  };
}
