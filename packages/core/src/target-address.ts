import ipaddr from "ipaddr.js";

/**
 * IPv6 ranges whose addresses carry an IPv4 address inside them. Whatever that IPv4 address is, a
 * connection to one of these may end at it: the host's own stack (IPv4-mapped, and IPv4-compatible on
 * some systems), a NAT64 gateway (64:ff9b::/96, and 64:ff9b:1::/48 local-use), a 6to4 relay or a
 * Teredo server. So "[::127.0.0.1]" or "[64:ff9b::a9fe:a9fe]" can reach loopback or the metadata
 * service through a check that looks only at the IPv6 range. A real receiver has a plain IPv4 or a
 * native IPv6 address, so all of these are refused outright rather than decoded and judged.
 */
const EMBEDDED_IPV4_RANGES = [
  ["::", 96], // IPv4-compatible (deprecated), and :: and ::1
  ["::ffff:0:0", 96], // IPv4-mapped
  ["::ffff:0:0:0", 96], // IPv4-translated (SIIT)
  ["64:ff9b::", 96], // NAT64, well-known prefix
  ["64:ff9b:1::", 48], // NAT64, local-use prefix
  ["2002::", 16], // 6to4
  ["2001::", 32], // Teredo
].map(([address, bits]): [ipaddr.IPv6, number] => [ipaddr.IPv6.parse(address as string), bits as number]);

function embedsIPv4(address: ipaddr.IPv6): boolean {
  return EMBEDDED_IPV4_RANGES.some((range) => address.match(range));
}

/**
 * Whether a webhook may be sent to this IP address when private targets are not allowed: only
 * public unicast addresses. Loopback, private, link-local (cloud metadata lives there), unique-local,
 * carrier-grade NAT and reserved ranges are refused, so a webhook cannot reach into the network
 * Hookyard runs in; so is every IPv6 form that embeds an IPv4 address (see above).
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6" && embedsIPv4(parsed as ipaddr.IPv6)) return false;
  return parsed.range() === "unicast";
}

/** The address inside a URL host when it is an IP literal ("[::1]" -> "::1"), else null. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}

/** Names that mean this machine wherever they are looked up (RFC 6761: localhost and any name
 * under it, with or without the final dot), even where a resolver has no answer for them. */
export function isLoopbackName(hostname: string): boolean {
  return /^(?:[^.]+\.)*localhost\.?$/i.test(hostname);
}
