export type { Attributes, Context } from "@opentelemetry/api";
export {
  carrierOf,
  contextOf,
  endPostSpan,
  endServerSpan,
  endSpan,
  type IncomingRequest,
  type MaybeSpan,
  startPostSpan,
  startProcessSpan,
  startSendSpan,
  startServerSpan,
} from "./spans.js";
export {
  carry,
  parentFrom,
  startTracing,
  type TraceCarrier,
  type Tracing,
  TracingConfigError,
  tracer,
  tracingEnabled,
} from "./tracing.js";
