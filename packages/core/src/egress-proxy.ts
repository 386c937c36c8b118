import ipaddr from "ipaddr.js";

/** How deliveries leave when the only way out is an HTTP proxy (HOOKYARD_HTTP_PROXY). */
export interface EgressProxy {
  /** http://host:port, without credentials: safe to show. */
  url: string;
  /** The Proxy-Authorization value made of the URL's credentials; null without them. Never log it. */
  authorization: string | null;
  /** Targets sent straight to the receiver instead (HOOKYARD_NO_PROXY). */
  noProxy: NoProxyRule[];
}

/** One entry of HOOKYARD_NO_PROXY: every target, a domain and the names under it, or addresses. */
export type NoProxyRule =
  | { kind: "everything" }
  | { kind: "domain"; name: string; suffix: string }
  | { kind: "range"; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

export class NoProxyError extends Error {
  override name = "NoProxyError";
}

/** A DNS label as host names write them (underscores too: some internal names have them). */
const LABEL = /^[a-z0-9_-]{1,63}$/;

function parseEntry(raw: string): NoProxyRule {
  if (raw === "*") return { kind: "everything" };
  const bare = raw.startsWith("[") && raw.endsWith("]") ? raw.slice(1, -1) : raw;
  if (bare.includes("/")) {
    try {
      const [address, bits] = ipaddr.parseCIDR(bare);
      return { kind: "range", range: [address, bits] };
    } catch {
      throw new NoProxyError(`"${raw}" is not an address range such as 10.0.0.0/8 or fd00::/8`);
    }
  }
  if (ipaddr.isValid(bare)) {
    const address = ipaddr.parse(bare);
    return { kind: "range", range: [address, address.kind() === "ipv4" ? 32 : 128] };
  }
  if (bare.includes(":")) {
    throw new NoProxyError(`"${raw}": ports are not supported, an entry applies to every port of its host`);
  }
  // "*.example.com" and ".example.com" are the usual spellings of "example.com and every name under it".
  const name = raw
    .replace(/^\*?\./, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (name.length > 253 || !name.split(".").every((label) => LABEL.test(label))) {
    throw new NoProxyError(`"${raw}" is not a host name, a domain (.example.com), an IP address or a CIDR range`);
  }
  return { kind: "domain", name, suffix: `.${name}` };
}

/**
 * HOOKYARD_NO_PROXY, comma-separated (spaces around entries ignored): `*` (every target), a name
 * (itself and every name under it; a leading `.` or `*.` means the same), an IP address or a CIDR
 * range (matched against targets written as an IP address: a name is not resolved to be matched).
 * No ports. Throws a NoProxyError naming the first entry it cannot read.
 */
export function parseNoProxy(value: string): NoProxyRule[] {
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map(parseEntry);
}

/** Whether a target (a URL's hostname, as WHATWG URL writes it) goes straight to the receiver. */
export function bypassesProxy(rules: readonly NoProxyRule[], hostname: string): boolean {
  if (rules.length === 0) return false;
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  const address = ipaddr.isValid(bare) ? ipaddr.process(bare) : null;
  const name = bare.endsWith(".") ? bare.slice(0, -1) : bare;
  for (const rule of rules) {
    if (rule.kind === "everything") return true;
    if (rule.kind === "domain") {
      if (address === null && (name === rule.name || name.endsWith(rule.suffix))) return true;
    } else if (address !== null && address.kind() === rule.range[0].kind() && address.match(rule.range)) {
      return true;
    }
  }
  return false;
}
