import { performance } from "node:perf_hooks";
import type { Logger } from "@hookyard/logger";
import { ApiError } from "./api-error.js";

/**
 * Most client addresses followed at once (about 100 bytes each). Past it the oldest entry goes
 * first: every window has the same length, so the oldest is also the first to end.
 */
export const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Failed authentications (a wrong token, Basic password, ingest token or web sign-in), counted
 * per client address in a window that starts at the address's first failure. Past `limit` of them
 * the address is answered 429 until the window ends, whatever it sends; successes never count.
 * Counted in this process only: with several API replicas an address gets `limit` at each.
 */
export interface AuthFailureLimiter {
  /** Throws a 429 (with Retry-After) while `address` is limited. */
  assertAllowed(address: string): void;
  /** Counts one failed authentication from `address`. */
  recordFailure(address: string): void;
}

interface Entry {
  failures: number;
  endsAt: number;
}

export function createAuthFailureLimiter(options: {
  /** Failures an address may make in a window; 0: no limit. */
  limit: number;
  windowMs: number;
  logger: Logger;
  maxAddresses?: number;
  /** Milliseconds on a clock that never goes back (tests give their own). */
  now?: () => number;
}): AuthFailureLimiter {
  const { limit, windowMs, logger } = options;
  const maxAddresses = options.maxAddresses ?? MAX_TRACKED_ADDRESSES;
  const now = options.now ?? (() => performance.now());
  // Insertion order is the order windows end in: an entry is re-inserted when its window starts anew.
  const entries = new Map<string, Entry>();

  /** Drops the entries whose window has ended, from the front, where they are. */
  function sweep(at: number): void {
    for (const [address, entry] of entries) {
      if (entry.endsAt > at) return;
      entries.delete(address);
    }
  }

  return {
    assertAllowed(address) {
      const entry = entries.get(address);
      if (!entry || entry.failures < limit) return;
      const left = entry.endsAt - now();
      if (left <= 0) {
        entries.delete(address);
        return;
      }
      const seconds = Math.max(1, Math.ceil(left / 1000));
      throw new ApiError(
        429,
        "rate_limited",
        `too many failed authentications from this address: try again in ${seconds} s`,
        seconds,
      );
    },

    recordFailure(address) {
      if (limit === 0) return;
      const at = now();
      sweep(at);
      let entry = entries.get(address);
      if (!entry) {
        if (entries.size >= maxAddresses) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
        entry = { failures: 0, endsAt: at + windowMs };
        entries.set(address, entry);
      }
      entry.failures += 1;
      if (entry.failures === limit) {
        logger.warn("authentication failures limited: this address is answered 429 until its window ends", {
          clientAddress: address,
          failures: entry.failures,
          retryAfterSeconds: Math.ceil((entry.endsAt - at) / 1000),
        });
      }
    },
  };
}

/**
 * The address a request is counted under: IPv4 as it is (also when the socket shows it as
 * ::ffff:a.b.c.d), IPv6 by its /64, the block one host usually holds whole. Hookyard does not read
 * X-Forwarded-For (trust proxy is off): behind a proxy, this is the proxy's address.
 */
export function clientAddress(remote: string | undefined): string {
  if (!remote) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped) return mapped[1] as string;
  if (!remote.includes(":")) return remote;
  const bare = remote.split("%", 1)[0] as string;
  const [head = "", tail] = bare.split("::", 2);
  const groups = head ? head.split(":") : [];
  if (tail !== undefined) {
    const rest = tail ? tail.split(":") : [];
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill("0"), ...rest);
  }
  const prefix = groups.slice(0, 4).map((group) => Number.parseInt(group || "0", 16).toString(16));
  return `${prefix.join(":")}::/64`;
}
