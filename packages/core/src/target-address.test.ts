import { describe, expect, it } from "vitest";
import { ipLiteral, isLoopbackName, isPublicAddress } from "./target-address.js";

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
    ["a public IPv6 address next to the Teredo range", "2001:200::1"],
    ["a public IPv6 address next to the 6to4 range", "2003::1"],
    ["a public IPv6 address next to the NAT64 range", "64:ff9c::1"],
  ])("allows %s (%s)", (_why, address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  // Each of these carries an IPv4 address that a host stack, a NAT64 gateway or a tunnel relay may
  // connect to; they are refused whatever that address is, public ones included.
  it.each([
    ["IPv4-compatible loopback", "::127.0.0.1"],
    ["IPv4-compatible loopback, hex", "::7f00:1"],
    ["IPv4-compatible loopback, written out", "0:0:0:0:0:0:127.0.0.1"],
    ["IPv4-compatible metadata", "::a9fe:a9fe"],
    ["IPv4-compatible private", "::10.0.0.1"],
    ["IPv4-compatible public", "::93.184.216.34"],
    ["IPv4-compatible public, hex", "::5db8:d822"],
    ["IPv4-mapped loopback, written out", "0:0:0:0:0:ffff:127.0.0.1"],
    ["IPv4-mapped loopback, upper-case hex", "::FFFF:7F00:1"],
    ["IPv4-mapped public", "::ffff:93.184.216.34"],
    ["IPv4-mapped public, hex", "::ffff:5db8:d822"],
    ["IPv4-translated loopback", "::ffff:0:127.0.0.1"],
    ["IPv4-translated loopback, hex", "::ffff:0:7f00:1"],
    ["IPv4-translated public", "::ffff:0:93.184.216.34"],
    ["NAT64 loopback", "64:ff9b::127.0.0.1"],
    ["NAT64 metadata, hex", "64:ff9b::a9fe:a9fe"],
    ["NAT64 public", "64:ff9b::93.184.216.34"],
    ["NAT64 local-use", "64:ff9b:1::a00:1"],
    ["NAT64 local-use, top of /48", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff"],
    ["6to4 of loopback", "2002:7f00:1::1"],
    ["6to4 of a public address", "2002:5db8:d822::1"],
    ["Teredo", "2001:0:4136:e378:8000:63bf:3fff:fdd2"],
    ["Teredo, short", "2001::1"],
  ])("refuses the IPv4-embedding %s (%s)", (_why, address) => {
    expect(isPublicAddress(address)).toBe(false);
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
    // URL normalises these to hex ("[::7f00:1]", "[::ffff:7f00:1]"); the check must see through that.
    "http://[::127.0.0.1]/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/hook",
    "http://[::ffff:0:127.0.0.1]/hook",
    "http://[64:ff9b::169.254.169.254]/latest/meta-data/",
    "http://[2002:7f00:1::1]/hook",
    "http://[::7f00:1]:8080/hook",
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

describe("isLoopbackName", () => {
  it.each([
    ["localhost", true],
    ["localhost.", true],
    ["LOCALHOST", true],
    ["api.localhost", true],
    ["a.b.localhost.", true],
    ["localhost.example.test", false],
    ["mylocalhost", false],
    ["hooks.example.test", false],
  ])("%s: %s", (name, expected) => {
    expect(isLoopbackName(name)).toBe(expected);
  });
});
