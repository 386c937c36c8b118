import { lookup } from "node:dns/promises";
import { ipLiteral, isPublicAddress } from "@hookyard/core";
import { badRequest } from "../http/api-error.js";

/**
 * Refuses webhook URLs that point into private networks unless HOOKYARD_ALLOW_PRIVATE_TARGETS is
 * set. The worker checks again when it connects; this check is for a clear error at creation.
 */
export async function assertAllowedTarget(url: string, allowPrivateTargets: boolean): Promise<void> {
  if (allowPrivateTargets) return;
  const { hostname } = new URL(url);
  const literal = ipLiteral(hostname);
  const addresses = literal
    ? [literal]
    : await lookup(hostname, { all: true }).then(
        (found) => found.map((a) => a.address),
        () => {
          throw badRequest(`url: the host ${hostname} does not resolve`);
        },
      );
  if (addresses.some((address) => !isPublicAddress(address))) {
    throw badRequest(
      `url: ${hostname} is a loopback, private or link-local address, or an IPv6 address that carries an IPv4 one (set HOOKYARD_ALLOW_PRIVATE_TARGETS=true to allow)`,
    );
  }
}
