import { describe, expect, it } from "vitest";
import { bypassesProxy, parseNoProxy } from "./egress-proxy.js";

describe("HOOKYARD_NO_PROXY", () => {
  const bypasses = (value: string, hostname: string) => bypassesProxy(parseNoProxy(value), hostname);

  it("matches a name, and every name under it however the domain is spelled", () => {
    for (const value of ["hooks.test", ".hooks.test", "*.hooks.test", " other.test , HOOKS.test. "]) {
      expect(bypasses(value, "hooks.test"), value).toBe(true);
      expect(bypasses(value, "ci.hooks.test"), value).toBe(true);
      expect(bypasses(value, "ci.hooks.test."), value).toBe(true);
      expect(bypasses(value, "myhooks.test"), value).toBe(false);
      expect(bypasses(value, "hooks.test.evil"), value).toBe(false);
    }
  });

  it("matches addresses and ranges against targets written as addresses, never against names", () => {
    expect(bypasses("127.0.0.1", "127.0.0.1")).toBe(true);
    expect(bypasses("127.0.0.0/8", "127.4.5.6")).toBe(true);
    expect(bypasses("127.0.0.0/8", "128.0.0.1")).toBe(false);
    expect(bypasses("::1", "[::1]")).toBe(true);
    expect(bypasses("[::1]", "[::1]")).toBe(true);
    expect(bypasses("fd00::/8", "[fd12::1]")).toBe(true);
    expect(bypasses("fd00::/8", "127.0.0.1")).toBe(false);
    // An IPv4-mapped target is the IPv4 address it carries.
    expect(bypasses("10.0.0.0/8", "[::ffff:a00:1]")).toBe(true);
    expect(bypasses("127.0.0.0/8", "localhost")).toBe(false);
    expect(bypasses("localhost", "127.0.0.1")).toBe(false);
  });

  it("bypasses everything with *, and nothing when empty", () => {
    expect(bypasses("*", "anything.test")).toBe(true);
    expect(bypasses("", "anything.test")).toBe(false);
    expect(bypasses(" , ", "anything.test")).toBe(false);
  });

  it("names the entry it cannot read", () => {
    expect(() => parseNoProxy("ok.test,hooks.test:8080")).toThrow(/^"hooks.test:8080": ports are not supported/);
    expect(() => parseNoProxy("10.0.0.0/33")).toThrow(/^"10.0.0.0\/33" is not an address range/);
    expect(() => parseNoProxy("hooks*.test")).toThrow(/^"hooks\*.test" is not a host name/);
    expect(() => parseNoProxy("a..b")).toThrow(/^"a..b" is not a host name/);
    expect(() => parseNoProxy("http://hooks.test")).toThrow(/^"http:\/\/hooks.test"/);
  });
});
