import { signPayload } from "../signing.js";

export interface DeliveryHeaderInput {
  deliveryId: string;
  eventType: string;
  contentType: string;
  body: string;
  timestampSeconds: number;
  secret: string | null;
  userAgent: string;
  custom: Record<string, string>;
}

/** Headers Hookyard owns, and the message-framing ones the HTTP client must set itself: a
 * webhook's own headers may not replace them. */
const RESERVED =
  /^(content-type|content-length|host|user-agent|webhook-.*|x-hookyard-.*|transfer-encoding|connection|keep-alive|upgrade|expect|te|trailer)$/i;

export function isReservedHeader(name: string): boolean {
  return RESERVED.test(name);
}

/** The headers of one delivery attempt (contract: Deliveries on the wire). */
export function buildDeliveryHeaders(input: DeliveryHeaderInput): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.custom)) {
    if (!RESERVED.test(name)) headers[name.toLowerCase()] = value;
  }
  headers["content-type"] = input.contentType;
  headers["user-agent"] = input.userAgent;
  headers["x-hookyard-event"] = input.eventType;
  headers["x-hookyard-delivery"] = input.deliveryId;
  // webhook-id is the delivery id, the same on every retry, so receivers can drop repeats.
  headers["webhook-id"] = input.deliveryId;
  headers["webhook-timestamp"] = String(input.timestampSeconds);
  if (input.secret) {
    headers["webhook-signature"] = signPayload(input.secret, input.deliveryId, input.timestampSeconds, input.body);
  }
  return headers;
}

const SENSITIVE_HEADER = /authorization|token|secret|key|cookie/i;

/** What is stored and shown of the headers we sent: credentials a webhook carries are masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SENSITIVE_HEADER.test(name) ? "[redacted]" : value;
  }
  return out;
}
