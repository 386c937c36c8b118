import ipaddr from "ipaddr.js";

/**
 * Whether a webhook may be sent to this IP address when private targets are not allowed: only
 * public unicast addresses. Loopback, private, link-local (cloud metadata lives there), unique-local,
 * carrier-grade NAT and reserved ranges are refused, so a webhook cannot reach into the network
 * Hookyard runs in.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === "unicast";
}

/** The address inside a URL host when it is an IP literal ("[::1]" -> "::1"), else null. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}
