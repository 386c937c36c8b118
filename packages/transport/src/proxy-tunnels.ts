import { lookup } from "node:dns/promises";
import type { ConnectionOptions } from "node:tls";
import { ipLiteral } from "@hookyard/core";
import { type Dispatcher, Pool, ProxyAgent } from "undici";
import { BlockedTargetError, ProxyError, proxyFailure } from "./attempt-errors.js";

type ConnectOptions = Omit<Dispatcher.ConnectOptions, "origin">;

/** Which addresses may be reached; null: any (HOOKYARD_ALLOW_PRIVATE_TARGETS). */
export type AddressJudge = ((address: string) => boolean) | null;

/**
 * The CONNECT target for "host:port". With the guard on, a name is resolved here and the proxy is
 * asked for the first allowed address, not the name: the proxy's own lookup could answer otherwise
 * (DNS rebinding), and the address is what was judged. TLS and the Host header still carry the name,
 * as undici takes them from the request's origin (decision 0018). With the guard off the name goes
 * to the proxy, which may resolve what this network cannot.
 */
async function tunnelTarget(authority: string, allowed: AddressJudge): Promise<string> {
  if (allowed === null) return authority;
  const colon = authority.lastIndexOf(":");
  const host = authority.slice(0, colon);
  const port = authority.slice(colon + 1);
  const literal = ipLiteral(host);
  if (literal !== null) {
    if (!allowed(literal)) throw new BlockedTargetError(`${literal} is a private address`);
    return authority;
  }
  const addresses = await lookup(host, { all: true });
  const chosen = addresses.find((a) => allowed(a.address));
  if (!chosen) throw new BlockedTargetError(`${host} resolves only to private addresses`);
  return chosen.family === 6 ? `[${chosen.address}]:${port}` : `${chosen.address}:${port}`;
}

/** What an attempt says when the proxy answers CONNECT with anything but 200. 407 is the standard
 * answer on credentials; some proxies (tinyproxy 1.11) answer 401 to a CONNECT instead. */
function refusal(statusCode: number, target: string): string {
  if (statusCode === 407 || statusCode === 401) {
    return `proxy: ${statusCode}: the egress proxy wants credentials, or refused those of HOOKYARD_HTTP_PROXY`;
  }
  return `proxy: ${statusCode}: the egress proxy would not open a tunnel to ${target}`;
}

/**
 * undici's client to the proxy, which ProxyAgent asks for each tunnel with connect(): here the
 * target is judged first, and every failure on the way to the proxy becomes a ProxyError.
 */
class GuardedTunnels extends Pool {
  constructor(
    origin: URL,
    options: Pool.Options,
    private readonly allowed: AddressJudge,
  ) {
    super(origin, options);
  }

  override connect(options: ConnectOptions): Promise<Dispatcher.ConnectData>;
  override connect(options: ConnectOptions, callback: (err: Error | null, data: Dispatcher.ConnectData) => void): void;
  override connect(
    options: ConnectOptions,
    callback?: (err: Error | null, data: Dispatcher.ConnectData) => void,
  ): Promise<Dispatcher.ConnectData> | undefined {
    const tunnel = this.tunnel(options);
    if (!callback) return tunnel;
    tunnel.then(
      (data) => callback(null, data),
      (error: Error) => callback(error, undefined as never),
    );
    return undefined;
  }

  private async tunnel(options: ConnectOptions): Promise<Dispatcher.ConnectData> {
    const target = await tunnelTarget(options.path, this.allowed);
    let data: Dispatcher.ConnectData;
    try {
      data = await super.connect({ ...options, path: target, headers: { ...options.headers, host: target } });
    } catch (error) {
      throw new ProxyError(proxyFailure(error));
    }
    if (data.statusCode !== 200) {
      data.socket.destroy();
      throw new ProxyError(refusal(data.statusCode, target));
    }
    return data;
  }
}

/**
 * A ProxyAgent that tunnels every request (CONNECT, also for http:// receivers, so the proxy never
 * sees a body and the target is judged the same way for both), with the receiver's own TLS
 * settings applied inside the tunnel, never to the proxy.
 */
export function createProxyAgent(options: {
  url: string;
  authorization: string | null;
  receiverTls: ConnectionOptions | undefined;
  allowed: AddressJudge;
  agent: { connections: number; keepAliveTimeout: number };
}): ProxyAgent {
  return new ProxyAgent({
    ...options.agent,
    uri: options.url,
    ...(options.authorization ? { token: options.authorization } : {}),
    ...(options.receiverTls ? { requestTls: options.receiverTls } : {}),
    clientFactory: (origin, clientOptions) =>
      new GuardedTunnels(origin, clientOptions as Pool.Options, options.allowed),
  });
}
