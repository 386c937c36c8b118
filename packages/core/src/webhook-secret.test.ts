import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isValidWebhookSecret, WEBHOOK_SECRET_RULE, webhookSecretKey } from "./webhook-secret.js";

const whsec = (bytes: number) => `whsec_${randomBytes(bytes).toString("base64")}`;

describe("webhookSecretKey: whsec_ secrets", () => {
  it("decodes the Standard Webhooks specification's example secret to its 24 bytes", () => {
    const key = webhookSecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(key?.toString("base64")).toBe("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(key).toHaveLength(24);
  });

  it.each([24, 25, 26, 32, 48, 64])("takes base64 of %i bytes, padding and all", (bytes) => {
    const secret = whsec(bytes);
    expect(webhookSecretKey(secret)).toEqual(Buffer.from(secret.slice(6), "base64"));
  });

  it.each([0, 1, 16, 23, 65, 128])("refuses base64 of %i bytes", (bytes) => {
    expect(webhookSecretKey(whsec(bytes))).toBeNull();
  });

  it.each([
    ["no base64 at all (signed with an empty key before)", "whsec_!!!!!!!!!!!!!!!!"],
    ["base64 with junk Buffer.from skips", "whsec_MfKQ9r8GKYqrTwjU!PD8ILPZIo2LaLaSw"],
    ["a space inside", "whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw"],
    ["a trailing newline", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"],
    ["the URL-safe alphabet", `whsec_${"-_".repeat(16)}`],
    ["missing padding", `whsec_${randomBytes(32).toString("base64").replace(/=+$/, "")}`],
    ["too much padding", `whsec_${randomBytes(32).toString("base64")}=`],
    ["padding in the middle", "whsec_MfKQ=r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ["non-zero padding bits", `whsec_${"A".repeat(42)}B=`],
    ["nothing after the prefix", "whsec_"],
    ["a raw-looking secret behind the prefix", "whsec_this-is-not-base64-at-all!"],
  ])("refuses %s", (_why, secret) => {
    expect(webhookSecretKey(secret)).toBeNull();
    expect(isValidWebhookSecret(secret)).toBe(false);
  });

  it("refuses a very long whsec_ secret without decoding it", () => {
    expect(webhookSecretKey(`whsec_${"A".repeat(100_000)}`)).toBeNull();
  });
});

describe("webhookSecretKey: raw secrets", () => {
  it("takes 24 to 256 visible ASCII characters as their bytes", () => {
    const secret = "my-plain-shared-secret-1234";
    expect(webhookSecretKey(secret)).toEqual(Buffer.from(secret, "utf8"));
    // A fixed hex string: a random one of 24 characters has fewer than 10 different ones now and then.
    expect(webhookSecretKey("3f9a0c7e51b2d84e6a1c0f79")).toHaveLength(24);
    expect(webhookSecretKey(randomBytes(192).toString("base64"))).toHaveLength(256);
    expect(webhookSecretKey("!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~")).not.toBeNull();
  });

  it.each([
    ["empty", ""],
    ["a single byte", "k"],
    ["16 spaces", " ".repeat(16)],
    ["23 characters", "abcdefghijklmnopqrstuvw"],
    ["257 characters", `${"abcdefghij".repeat(25)}abcdefg`],
    ["a space inside", "my plain shared secret 1234"],
    ["a tab inside", "my-plain-shared\tsecret-1234"],
    ["a NUL inside", "my-plain-shared\u0000secret-1234"],
    ["DEL inside", "my-plain-shared\u007fsecret-1234"],
    ["non-ASCII letters", "mon-secret-partagé-très-long"],
    ["one character repeated", "a".repeat(64)],
    ["nine different characters", "abcdefghi".repeat(4)],
  ])("refuses %s", (_why, secret) => {
    expect(webhookSecretKey(secret)).toBeNull();
  });

  it("takes ten different characters", () => {
    expect(webhookSecretKey("abcdefghij".repeat(3))).not.toBeNull();
  });
});

describe("WEBHOOK_SECRET_RULE", () => {
  it("states both forms and their bounds", () => {
    expect(WEBHOOK_SECRET_RULE).toBe(
      'must be "whsec_" followed by base64 of 24 to 64 bytes, or 24 to 256 visible ASCII characters with at least 10 different ones',
    );
  });
});
