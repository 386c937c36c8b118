import { errors } from "undici";

/** A target the SSRF guard refused: nothing was sent, not even to the proxy. */
export class BlockedTargetError extends Error {
  override name = "BlockedTargetError";
}

/** The egress proxy failed us (down, 407, no tunnel): its message is an attempt's error as it is. */
export class ProxyError extends Error {
  override name = "ProxyError";
}

/** What kind of failure a system error code is, as the first word of an attempt's error. */
const KIND_BY_CODE: Record<string, string> = {
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EAI_FAIL: "dns",
  ECONNREFUSED: "refused",
  ECONNRESET: "reset",
  EPIPE: "reset",
  UND_ERR_SOCKET: "reset",
  UND_ERR_CLOSED: "reset",
  ETIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
};

function codeOf(error: unknown): string | undefined {
  return (
    ((error as { cause?: unknown }).cause as { code?: string } | undefined)?.code ?? (error as { code?: string }).code
  );
}

/**
 * Why the way to the egress proxy failed, for a ProxyError: the kind and code only, not undici's
 * message, which names the proxy's address to whoever reads the webhook's history.
 */
export function proxyFailure(error: unknown): string {
  const code = codeOf(error);
  if (code)
    return `proxy: ${KIND_BY_CODE[code] ?? "error"} (${code}): on the way to the egress proxy (HOOKYARD_HTTP_PROXY)`;
  return "proxy: error: on the way to the egress proxy (HOOKYARD_HTTP_PROXY)";
}

/**
 * An attempt's error, led by its kind (timeout, dns, refused, reset, unreachable, tls, blocked,
 * proxy), so that a person reading the history, or a query, tells a receiver that is down from one
 * that is slow, a name that does not resolve, or an egress proxy in the way. Every kind is retried
 * alike.
 */
export function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return `timeout: no complete answer within ${timeoutMs} ms`;
  }
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `timeout: no complete answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: unknown }).cause ?? error;
  for (const candidate of [error, cause]) {
    if (candidate instanceof BlockedTargetError) return `blocked: ${candidate.message}`;
    if (candidate instanceof ProxyError) return candidate.message;
  }
  const code = (cause as { code?: string }).code;
  const message = (cause as Error).message ?? String(cause);
  const detail = code ? `${code}: ${message}` : message;
  const kind = (code && KIND_BY_CODE[code]) ?? (/CERT|SSL|TLS|SELF_SIGNED/i.test(detail) ? "tls" : "error");
  return `${kind}: ${detail}`;
}
