import { createHash } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { type ConnectionOptions, rootCertificates } from "node:tls";
import { bypassesProxy, type EgressProxy, ipLiteral, isPublicAddress } from "@hookyard/core";
import { Agent, type Dispatcher, request } from "undici";
import { BlockedTargetError, describeFailure } from "./attempt-errors.js";
import { createProxyAgent } from "./proxy-tunnels.js";

/** Stored per attempt; longer answers are cut here (the API documents the size). */
export const RESPONSE_BODY_LIMIT = 4_096;

/** How to trust an HTTPS receiver: extra CA certificates (PEM) beside the system ones, or none at all. */
export interface ReceiverTls {
  caCertificates: string | null;
  skipVerification: boolean;
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  tls?: ReceiverTls;
}

export type TransportResult =
  | { ok: true; statusCode: number; headers: Record<string, string>; body: string; durationMs: number }
  | { ok: false; error: string; durationMs: number };

export interface Transport {
  send(req: OutgoingRequest): Promise<TransportResult>;
  close(): Promise<void>;
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

export interface HttpTransportOptions {
  allowPrivateTargets: boolean;
  connections?: number;
  /** Send through this HTTP proxy (HOOKYARD_HTTP_PROXY), but for the targets its noProxy names. */
  proxy?: EgressProxy | null;
}

/**
 * POSTs over undici (6x less CPU per request than got here; docs/decisions/0001-http-client.md).
 * Redirects are not followed: a 3xx is an answer like any other non-2xx. Through a proxy, the SSRF
 * guard judges the receiver before the tunnel is asked for (proxy-tunnels.ts, decision 0018).
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const pool = { connections: options.connections ?? 64, keepAliveTimeout: 10_000 };
  const guard = options.allowPrivateTargets ? {} : { lookup: publicOnlyLookup() };
  const direct = new TlsAgents((tls) => new Agent({ ...pool, connect: { ...tls, ...guard } }));
  const proxy = options.proxy ?? null;
  const noProxy = proxy?.noProxy ?? [];
  const proxied =
    proxy &&
    new TlsAgents((tls) =>
      createProxyAgent({
        url: proxy.url,
        authorization: proxy.authorization,
        receiverTls: tls,
        allowed: options.allowPrivateTargets ? null : isPublicAddress,
        agent: pool,
      }),
    );

  return {
    async send(req) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      const { hostname } = new URL(req.url);
      const literal = ipLiteral(hostname);
      if (!options.allowPrivateTargets && literal && !isPublicAddress(literal)) {
        return { ok: false, error: `blocked: ${literal} is a private address`, durationMs: 0 };
      }
      const agents = proxied === null || bypassesProxy(noProxy, hostname) ? direct : proxied;
      try {
        const res = await request(req.url, {
          method: "POST",
          headers: req.headers,
          body: req.body,
          dispatcher: agents.for(req.tls),
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
        return { ok: false, error: describeFailure(error, req.timeoutMs), durationMs: elapsed() };
      }
    },
    close: async () => {
      await Promise.all([direct.close(), proxied?.close()]);
    },
  };
}

/** Most agents a transport keeps for receivers with TLS settings of their own; the least recently
 * used is closed past it, so a thousand webhooks with their own CAs do not hold a thousand pools. */
const MAX_TLS_AGENTS = 64;

/**
 * One connection pool per way of trusting receivers: the shared one for the system CAs, and one per
 * distinct custom CA bundle (by its hash) or for skipping verification, since undici fixes TLS
 * options per pool.
 */
class TlsAgents {
  private readonly shared: Dispatcher;
  private readonly custom = new Map<string, Dispatcher>();

  constructor(private readonly newAgent: (tls: ConnectionOptions | undefined) => Dispatcher) {
    this.shared = newAgent(undefined);
  }

  for(tls: ReceiverTls | undefined): Dispatcher {
    if (!tls || (!tls.skipVerification && !tls.caCertificates)) return this.shared;
    const key = tls.skipVerification
      ? "skip"
      : createHash("sha256")
          .update(tls.caCertificates ?? "")
          .digest("hex");
    let agent = this.custom.get(key);
    if (agent) {
      this.custom.delete(key); // re-inserted below: the Map's order is the recency
    } else {
      agent = this.newAgent(
        tls.skipVerification
          ? { rejectUnauthorized: false }
          : { ca: [...rootCertificates, tls.caCertificates as string] },
      );
      if (this.custom.size >= MAX_TLS_AGENTS) {
        const [oldestKey, oldest] = this.custom.entries().next().value as [string, Dispatcher];
        this.custom.delete(oldestKey);
        void oldest.close();
      }
    }
    this.custom.set(key, agent);
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([this.shared.close(), ...[...this.custom.values()].map((a) => a.close())]);
  }
}
