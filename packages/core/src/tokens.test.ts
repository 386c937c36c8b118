import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authorizationScheme, generateToken, hashToken } from "./tokens.js";

describe("generateToken", () => {
  it("starts with a readable prefix and carries 256 random bits", () => {
    const token = generateToken();
    expect(token.startsWith("hy_")).toBe(true);
    const random = Buffer.from(token.slice("hy_".length), "base64url");
    expect(random).toHaveLength(32);
  });

  it("uses the prefix it is given", () => {
    expect(generateToken("whsec").startsWith("whsec_")).toBe(true);
  });

  it("never repeats itself", () => {
    const tokens = new Set(Array.from({ length: 200 }, () => generateToken()));
    expect(tokens.size).toBe(200);
  });

  it("is safe to put in a header or URL", () => {
    expect(generateToken()).toMatch(/^hy_[A-Za-z0-9_-]+$/);
  });
});

describe("hashToken", () => {
  it("is the hex SHA-256 of the token", () => {
    const token = "hy_0123456789";
    expect(hashToken(token)).toBe(createHash("sha256").update(token, "utf8").digest("hex"));
  });

  it("does not contain the token, and tells tokens apart", () => {
    const a = generateToken();
    const b = generateToken();
    expect(hashToken(a)).not.toContain(a.slice(3));
    expect(hashToken(a)).not.toBe(hashToken(b));
    expect(hashToken(a)).toBe(hashToken(a));
  });
});

describe("authorizationScheme", () => {
  it("is the header's scheme, lower-cased", () => {
    expect(authorizationScheme("Bearer abc")).toBe("bearer");
    expect(authorizationScheme("basic YTpi")).toBe("basic");
    expect(authorizationScheme(undefined)).toBeNull();
    expect(authorizationScheme("")).toBeNull();
  });
});
