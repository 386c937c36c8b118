import { lookup } from "node:dns/promises";
import { ipLiteral, isLoopbackName, isPublicAddress } from "@hookyard/core";
import { badRequest } from "../http/api-error.js";

/** How long creation waits for DNS: past it the name counts as not resolving here. */
const LOOKUP_TIMEOUT_MS = 2_000;

/** The addresses a name resolves to from here; none when it does not resolve, or not in time. */
async function addressesOf(hostname: string): Promise<string[]> {
  const timeout = new Promise<string[]>((resolve) => setTimeout(resolve, LOOKUP_TIMEOUT_MS, []).unref());
  const found = lookup(hostname, { all: true }).then(
    (addresses) => addresses.map((a) => a.address),
    () => [],
  );
  return Promise.race([found, timeout]);
}

/**
 * Refuses webhook URLs that point into private networks unless HOOKYARD_ALLOW_PRIVATE_TARGETS is
 * set: a literal private address, or a name that resolves to one from here. A name that does not
 * resolve is accepted: with split-horizon DNS the workers may resolve what the API cannot. The
 * worker checks every address again when it connects, so nothing private is reached either way;
 * this check is for a clear error at creation.
 */
export async function assertAllowedTarget(url: string, allowPrivateTargets: boolean): Promise<void> {
  if (allowPrivateTargets) return;
  const { hostname } = new URL(url);
  const literal = ipLiteral(hostname);
  const addresses = literal ? [literal] : await addressesOf(hostname);
  if (isLoopbackName(hostname) || addresses.some((address) => !isPublicAddress(address))) {
    throw badRequest(
      `url: ${hostname} is a loopback, private or link-local address, or an IPv6 address that carries an IPv4 one (set HOOKYARD_ALLOW_PRIVATE_TARGETS=true to allow)`,
    );
  }
}
