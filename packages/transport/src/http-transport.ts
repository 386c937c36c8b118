import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { ipLiteral, isPublicAddress } from "@hookyard/core";
import { Agent, errors, request } from "undici";

/** Stored per attempt; longer answers are cut here (the API documents the size). */
export const RESPONSE_BODY_LIMIT = 4_096;

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type TransportResult =
  | { ok: true; statusCode: number; headers: Record<string, string>; body: string; durationMs: number }
  | { ok: false; error: string; durationMs: number };

export interface Transport {
  send(req: OutgoingRequest): Promise<TransportResult>;
  close(): Promise<void>;
}

class BlockedTargetError extends Error {
  override name = "BlockedTargetError";
}

/** A DNS lookup that refuses names resolving to private ranges: checked at connect time, so a
 * name that changes its answer after the webhook was saved is still caught. */
function publicOnlyLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 0);
      const allowed = addresses.filter((a) => isPublicAddress(a.address));
      if (allowed.length === 0) {
        return callback(new BlockedTargetError(`${hostname} resolves only to private addresses`), "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      const first = allowed[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

async function readLimited(body: AsyncIterable<Buffer> & { dump(): Promise<void> }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= RESPONSE_BODY_LIMIT) break;
  }
  // Leaving the loop early destroys the stream; that is fine, the connection is then not reused.
  return Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString("utf8");
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) {
    return `timeout: no complete answer within ${timeoutMs} ms`;
  }
  if (error instanceof DOMException && error.name === "TimeoutError") {
    return `timeout: no complete answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (cause instanceof BlockedTargetError) return `blocked: ${cause.message}`;
  const code = (cause as { code?: string }).code;
  const message = (cause as Error).message ?? String(cause);
  return code ? `${code}: ${message}` : message;
}

/**
 * POSTs over undici (6x less CPU per request than got here; docs/decisions/0001-http-client.md).
 * Redirects are not followed: a 3xx is an answer like any other non-2xx.
 */
export function createHttpTransport(options: { allowPrivateTargets: boolean; connections?: number }): Transport {
  const agent = new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: 10_000,
    ...(options.allowPrivateTargets ? {} : { connect: { lookup: publicOnlyLookup() } }),
  });

  return {
    async send(req) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const literal = ipLiteral(new URL(req.url).hostname);
      if (!options.allowPrivateTargets && literal && !isPublicAddress(literal)) {
        return { ok: false, error: `blocked: ${literal} is a private address`, durationMs: 0 };
      }
      try {
        const res = await request(req.url, {
          method: "POST",
          headers: req.headers,
          body: req.body,
          dispatcher: agent,
          signal: AbortSignal.timeout(req.timeoutMs),
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        });
        const body = await readLimited(res.body);
        return {
          ok: true,
          statusCode: res.statusCode,
          headers: flattenHeaders(res.headers),
          body,
          durationMs: elapsed(),
        };
      } catch (error) {
        return { ok: false, error: describe(error, req.timeoutMs), durationMs: elapsed() };
      }
    },
    close: () => agent.close(),
  };
}
