export type { Attributes, Context } from "@opentelemetry/api";
export {
  carrierOf,
  contextOf,
  endPostSpan,
  endServerSpan,
  endSpan,
  type IncomingRequest,
  linkOf,
  type MaybeSpan,
  type SpanLink,
  startPostSpan,
  startProcessSpan,
  startSendSpan,
  startServerSpan,
} from "./spans.js";
export { startTracing, type TraceCarrier, type Tracing, TracingConfigError } from "./tracing.js";
