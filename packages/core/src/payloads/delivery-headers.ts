import { signPayload } from "../signing.js";

export interface DeliveryHeaderInput {
  deliveryId: string;
  eventType: string;
  contentType: string;
  body: string;
  timestampSeconds: number;
  secret: string | null;
  /** A rotated-out secret still in its grace period: it signs too, after the current one. */
  previousSecret?: string | null;
  userAgent: string;
  custom: Record<string, string>;
}

/** Headers Hookyard owns, and the message-framing ones the HTTP client must set itself: a
 * webhook's own headers may not replace them. Content-Encoding would tell the receiver to decode a
 * body that is not encoded; the hop-by-hop ones (Connection, Proxy-*, ...) are about the connection
 * to the next hop, not the message, and the HTTP client refuses some of them outright. */
const RESERVED =
  /^(content-type|content-length|content-encoding|host|user-agent|webhook-.*|x-hookyard-.*|transfer-encoding|connection|keep-alive|proxy-.*|upgrade|expect|te|trailer)$/i;

export function isReservedHeader(name: string): boolean {
  return RESERVED.test(name);
}

/** Bounds of a webhook's own headers: a request line and its headers must fit what common servers
 * take (8 KiB is nginx's default buffer for one header line, 16 KiB Node's for all of them), next to
 * the dozen headers Hookyard adds itself. */
export const CUSTOM_HEADER_LIMITS = { count: 30, valueLength: 2_048, totalLength: 8_192 } as const;

const HEADER_NAME = /^[A-Za-z0-9-]{1,100}$/;

/** Letters, digits and "-", up to 100: a subset of HTTP's token that no receiver chokes on. */
function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}
/** Visible ASCII, space and tab. A control character (CR, LF, NUL, ...) makes the HTTP client refuse
 * the request, so every attempt would fail; bytes above ASCII reach receivers as Latin-1 guesses. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/**
 * What is wrong with a webhook's own headers, as a message naming the `headers` field, or null when
 * they may be sent as they are.
 */
export function customHeadersProblem(headers: Record<string, string>): string | null {
  const entries = Object.entries(headers);
  if (entries.length > CUSTOM_HEADER_LIMITS.count) {
    return `headers: at most ${CUSTOM_HEADER_LIMITS.count} headers may be set`;
  }
  const seen = new Set<string>();
  let total = 0;
  for (const [name, value] of entries) {
    if (!isHeaderName(name)) {
      return `headers: ${JSON.stringify(name.slice(0, 100))} is not a header name (letters, digits and "-", at most 100)`;
    }
    if (isReservedHeader(name)) return `headers: ${name} is set by Hookyard and cannot be overridden`;
    if (seen.has(name.toLowerCase())) return `headers: ${name} is given twice (header names ignore case)`;
    seen.add(name.toLowerCase());
    if (value.length > CUSTOM_HEADER_LIMITS.valueLength) {
      return `headers: the value of ${name} is longer than ${CUSTOM_HEADER_LIMITS.valueLength} characters`;
    }
    if (!HEADER_VALUE.test(value)) {
      return `headers: the value of ${name} may hold only visible ASCII characters, spaces and tabs (no CR, LF, NUL or other control characters)`;
    }
    total += name.length + value.length;
  }
  if (total > CUSTOM_HEADER_LIMITS.totalLength) {
    return `headers: names and values together are longer than ${CUSTOM_HEADER_LIMITS.totalLength} characters`;
  }
  return null;
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
  // Standard Webhooks: a space-separated list, so that a receiver holding either secret verifies.
  const secrets = [input.secret, input.previousSecret].filter((s): s is string => Boolean(s));
  if (secrets.length > 0) {
    headers["webhook-signature"] = secrets
      .map((secret) => signPayload(secret, input.deliveryId, input.timestampSeconds, input.body))
      .join(" ");
  }
  return headers;
}

/** Names that may carry a credential. Broad on purpose: masking an innocent header (X-Author,
 * X-Keyboard) costs a look at the webhook's settings; showing a password in an attempt log does not
 * come back. "key" covers api-key and apikey, "auth" authorization and proxy-authorization. */
const SENSITIVE_HEADER = /auth|token|secret|key|cookie|passw|passphrase|pwd|credential|session|signature|jwt/i;

/** What is stored and shown of the headers we sent: credentials a webhook carries are masked. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SENSITIVE_HEADER.test(name) ? "[redacted]" : value;
  }
  return out;
}
