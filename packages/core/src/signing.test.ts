import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { InvalidSecretError, signPayload, verifySignature } from "./signing.js";

/** Standard Webhooks, computed here independently: HMAC-SHA256 over "{id}.{timestamp}.{body}". */
function reference(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

const KEY = Buffer.from("6f1c2a9e4b7d3f0a8c5e1b2d4f6a8c0e", "utf8");
const SECRET = `whsec_${KEY.toString("base64")}`;
const ID = "dlv_2f8c1a7e9b3d";
const TS = 1_795_428_000;
const BODY = JSON.stringify({ type: "TAG_PUSH", createdAt: "2026-11-23T10:00:00.123Z", contents: { tag: "1.0" } });

describe("signPayload", () => {
  it("reproduces the Standard Webhooks specification's test vector", () => {
    expect(
      signPayload(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("signs with the base64-decoded bytes of a whsec_ secret", () => {
    expect(signPayload(SECRET, ID, TS, BODY)).toBe(reference(KEY, ID, TS, BODY));
  });

  it("signs with the UTF-8 bytes of a secret without the whsec_ prefix", () => {
    const secret = "my-plain-shared-secret-1234";
    expect(signPayload(secret, ID, TS, BODY)).toBe(reference(Buffer.from(secret, "utf8"), ID, TS, BODY));
  });

  it.each([
    ["a whsec_ secret that is not base64 (an empty key before)", "whsec_!!!!!!!!!!!!!!!!"],
    ["a whsec_ secret of 16 bytes", `whsec_${randomBytes(16).toString("base64")}`],
    ["a one-byte secret", "k"],
    ["16 spaces", " ".repeat(16)],
    ["an empty secret", ""],
  ])("refuses to sign with %s", (_why, secret) => {
    expect(() => signPayload(secret, ID, TS, BODY)).toThrow(InvalidSecretError);
  });

  it("does not put the secret in its error", () => {
    const thrown = (() => {
      try {
        signPayload("whsec_!!!!!!!!!!!!!!!!", ID, TS, BODY);
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(thrown).toMatch(/^the webhook secret must be "whsec_"/);
    expect(thrown).not.toContain("!!!!");
  });

  it("writes v1, followed by a base64 SHA-256 MAC", () => {
    const signature = signPayload(SECRET, ID, TS, BODY);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(signature.slice(3), "base64")).toHaveLength(32);
  });

  it("signs non-ASCII bodies as UTF-8", () => {
    const body = JSON.stringify({ description: "déploiement ✓ 日本" });
    expect(signPayload(SECRET, ID, TS, body)).toBe(reference(KEY, ID, TS, body));
  });

  it("changes with each of id, timestamp, body and secret", () => {
    const base = signPayload(SECRET, ID, TS, BODY);
    expect(signPayload(SECRET, `${ID}x`, TS, BODY)).not.toBe(base);
    expect(signPayload(SECRET, ID, TS + 1, BODY)).not.toBe(base);
    expect(signPayload(SECRET, ID, TS, `${BODY} `)).not.toBe(base);
    expect(signPayload(`whsec_${randomBytes(24).toString("base64")}`, ID, TS, BODY)).not.toBe(base);
  });
});

describe("verifySignature", () => {
  const good = reference(KEY, ID, TS, BODY);

  it("accepts the right signature", () => {
    expect(verifySignature(SECRET, ID, TS, BODY, good)).toBe(true);
  });

  it("accepts a space-separated list that contains the right signature (secret rotation)", () => {
    const other = reference(randomBytes(32), ID, TS, BODY);
    expect(verifySignature(SECRET, ID, TS, BODY, `${other} ${good}`)).toBe(true);
    expect(verifySignature(SECRET, ID, TS, BODY, `${good} ${other}`)).toBe(true);
  });

  it("rejects a tampered body", () => {
    expect(verifySignature(SECRET, ID, TS, BODY.replace("1.0", "6.6"), good)).toBe(false);
  });

  it("rejects a tampered timestamp", () => {
    expect(verifySignature(SECRET, ID, TS + 60, BODY, good)).toBe(false);
  });

  it("rejects another message id", () => {
    expect(verifySignature(SECRET, "dlv_other", TS, BODY, good)).toBe(false);
  });

  it("rejects a signature made with another secret", () => {
    expect(verifySignature(SECRET, ID, TS, BODY, reference(randomBytes(32), ID, TS, BODY))).toBe(false);
  });

  it("rejects an empty header, garbage, and a MAC without its version", () => {
    expect(verifySignature(SECRET, ID, TS, BODY, "")).toBe(false);
    expect(verifySignature(SECRET, ID, TS, BODY, "v1,bm90IGEgc2lnbmF0dXJl")).toBe(false);
    expect(verifySignature(SECRET, ID, TS, BODY, good.slice(3))).toBe(false);
    expect(verifySignature(SECRET, ID, TS, BODY, `v2,${good.slice(3)}`)).toBe(false);
  });

  it("verifies what signPayload produces", () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    expect(verifySignature(secret, ID, TS, BODY, signPayload(secret, ID, TS, BODY))).toBe(true);
  });
});
