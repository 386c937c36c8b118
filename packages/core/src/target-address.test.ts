import { describe, expect, it } from "vitest";
import { ipLiteral, isPublicAddress } from "./target-address.js";

describe("isPublicAddress", () => {
  it.each([
    ["IPv4 loopback", "127.0.0.1"],
    ["IPv4 loopback, elsewhere in 127/8", "127.10.20.30"],
    ["private 10/8", "10.0.0.1"],
    ["private 10/8, top", "10.255.255.255"],
    ["private 172.16/12", "172.16.0.1"],
    ["private 172.16/12, top", "172.31.255.254"],
    ["private 192.168/16", "192.168.1.10"],
    ["link-local, cloud metadata", "169.254.169.254"],
    ["carrier-grade NAT", "100.64.0.1"],
    ["unspecified (reaches this host)", "0.0.0.0"],
    ["broadcast", "255.255.255.255"],
    ["multicast", "224.0.0.1"],
    ["documentation", "192.0.2.10"],
    ["IPv6 loopback", "::1"],
    ["IPv6 unspecified", "::"],
    ["unique-local", "fc00::1"],
    ["unique-local fd00::/8", "fd12:3456:789a::1"],
    ["IPv6 link-local", "fe80::1"],
    ["IPv6 multicast", "ff02::1"],
    ["IPv4-mapped loopback", "::ffff:127.0.0.1"],
    ["IPv4-mapped loopback, hex", "::ffff:7f00:1"],
    ["IPv4-mapped metadata", "::ffff:169.254.169.254"],
    ["IPv4-mapped private", "::ffff:10.0.0.1"],
    ["IPv6 documentation", "2001:db8::1"],
  ])("refuses %s (%s)", (_why, address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    ["a public IPv4 address", "93.184.216.34"],
    ["another public IPv4 address", "8.8.8.8"],
    ["just outside 172.16/12", "172.32.0.1"],
    ["just outside 192.168/16", "192.169.0.1"],
    ["a public IPv6 address", "2606:2800:220:1::1"],
    ["another public IPv6 address", "2001:4860:4860::8888"],
    ["an IPv4-mapped public address", "::ffff:93.184.216.34"],
  ])("allows %s (%s)", (_why, address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each(["example.com", "", "[::1]", "256.1.1.1", "not an address"])(
    "refuses %j, which is not an address",
    (text) => {
      expect(isPublicAddress(text)).toBe(false);
    },
  );
});

describe("ipLiteral", () => {
  it("unwraps a bracketed IPv6 host", () => {
    expect(ipLiteral("[::1]")).toBe("::1");
    expect(ipLiteral("[2606:2800:220:1::1]")).toBe("2606:2800:220:1::1");
  });

  it("returns an IPv4 host as it is", () => {
    expect(ipLiteral("127.0.0.1")).toBe("127.0.0.1");
    expect(ipLiteral("93.184.216.34")).toBe("93.184.216.34");
  });

  it("returns null for a name", () => {
    expect(ipLiteral("example.com")).toBeNull();
    expect(ipLiteral("localhost")).toBeNull();
    expect(ipLiteral("[example.com]")).toBeNull();
  });

  it.each([
    "http://127.0.0.1/hook",
    "http://[::1]:8080/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433/hook", // 127.0.0.1 written as one number; URL normalises it
    "http://0x7f.1/hook",
    "http://10.1/hook",
    "http://[fd00::abcd]/hook",
  ])("finds the private literal in the hostname of %s", (url) => {
    const literal = ipLiteral(new URL(url).hostname);
    expect(literal).not.toBeNull();
    expect(isPublicAddress(literal as string)).toBe(false);
  });

  it("finds a public literal in a URL as public", () => {
    const literal = ipLiteral(new URL("https://[2606:2800:220:1::1]:8443/hook").hostname);
    expect(literal).toBe("2606:2800:220:1::1");
    expect(isPublicAddress(literal as string)).toBe(true);
  });
});
