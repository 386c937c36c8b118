import { PassThrough } from "node:stream";
import { createLogger } from "@hookyard/logger";
import { describe, expect, it } from "vitest";
import type { ApiError } from "./api-error.js";
import { clientAddress, createAuthFailureLimiter } from "./auth-limiter.js";

function setUp(options: { limit?: number; windowMs?: number; maxAddresses?: number } = {}) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new PassThrough();
  destination.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
  });
  let clock = 1_000;
  const limiter = createAuthFailureLimiter({
    limit: options.limit ?? 3,
    windowMs: options.windowMs ?? 10_000,
    maxAddresses: options.maxAddresses,
    logger: createLogger({ service: "test", level: "warn", destination }),
    now: () => clock,
  });
  const limited = (address: string): ApiError | null => {
    try {
      limiter.assertAllowed(address);
      return null;
    } catch (error) {
      return error as ApiError;
    }
  };
  return { limiter, lines, limited, advance: (ms: number) => (clock += ms) };
}

describe("createAuthFailureLimiter", () => {
  it("limits an address past its failures until the window that began with the first one ends", () => {
    const { limiter, limited, advance } = setUp();
    for (let i = 0; i < 3; i++) {
      expect(limited("10.0.0.1")).toBeNull();
      limiter.recordFailure("10.0.0.1");
      advance(1_000);
    }
    expect(limited("10.0.0.1")).toMatchObject({ status: 429, code: "rate_limited", retryAfterSeconds: 7 });
    expect(limited("10.0.0.2")).toBeNull();
    advance(6_500);
    expect(limited("10.0.0.1")?.retryAfterSeconds).toBe(1);
    advance(500);
    expect(limited("10.0.0.1")).toBeNull();
    // A new window, counted from zero.
    limiter.recordFailure("10.0.0.1");
    expect(limited("10.0.0.1")).toBeNull();
  });

  it("warns once per address, when it starts being limited", async () => {
    const { limiter, lines } = setUp();
    for (let i = 0; i < 5; i++) limiter.recordFailure("10.0.0.1");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", clientAddress: "10.0.0.1", failures: 3, retryAfterSeconds: 10 });
  });

  it("follows a bounded number of addresses, dropping the oldest first", () => {
    const { limiter, limited } = setUp({ limit: 1, maxAddresses: 100 });
    for (let i = 0; i < 250; i++) limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    // The latest 100 are still limited; the older ones were let go.
    expect(limited("10.0.0.249")).not.toBeNull();
    expect(limited("10.0.0.150")).not.toBeNull();
    expect(limited("10.0.0.149")).toBeNull();
    expect(limited("10.0.0.0")).toBeNull();
  });

  it("forgets addresses whose window ended", () => {
    const { limiter, limited, advance } = setUp({ limit: 2, maxAddresses: 2 });
    limiter.recordFailure("10.0.0.1");
    limiter.recordFailure("10.0.0.1");
    advance(10_000);
    limiter.recordFailure("10.0.0.2");
    limiter.recordFailure("10.0.0.2");
    limiter.recordFailure("10.0.0.3");
    limiter.recordFailure("10.0.0.3");
    expect(limited("10.0.0.2")).not.toBeNull();
    expect(limited("10.0.0.3")).not.toBeNull();
  });

  it("limits nothing with a limit of 0", () => {
    const { limiter, limited } = setUp({ limit: 0 });
    for (let i = 0; i < 100; i++) limiter.recordFailure("10.0.0.1");
    expect(limited("10.0.0.1")).toBeNull();
  });
});

describe("clientAddress", () => {
  it("takes IPv4 as it is, also mapped into IPv6, and IPv6 by its /64", () => {
    expect(clientAddress("127.0.0.2")).toBe("127.0.0.2");
    expect(clientAddress("::ffff:127.0.0.2")).toBe("127.0.0.2");
    expect(clientAddress("2001:db8:aa:bb:1:2:3:4")).toBe("2001:db8:aa:bb::/64");
    expect(clientAddress("2001:db8:aa:bb::99")).toBe("2001:db8:aa:bb::/64");
    expect(clientAddress("2001:0db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientAddress("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(clientAddress("::1")).toBe("0:0:0:0::/64");
    expect(clientAddress(undefined)).toBe("unknown");
  });
});
