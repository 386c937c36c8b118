import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  DecryptionError,
  EncryptionKeys,
  EncryptionKeysError,
  encryptionKeyIdOf,
  isEncrypted,
  newEncryptionKey,
} from "./encryption.js";

const A = newEncryptionKey();
const B = newEncryptionKey();
const CONTEXT = "webhook:whk_1:secret";

describe("EncryptionKeys.parse", () => {
  it("takes id:base64 entries; the first encrypts, all decrypt", () => {
    const keys = EncryptionKeys.parse(` new:${B} , old:${A}`);
    expect(keys.currentId).toBe("new");
    expect(keys.ids).toEqual(["new", "old"]);
    expect(keys.has("old")).toBe(true);
    expect(keys.has("other")).toBe(false);
  });

  it("makes keys of 32 random bytes, as openssl rand -base64 32 does", () => {
    expect(Buffer.from(A, "base64")).toHaveLength(32);
    expect(A).not.toBe(B);
  });

  it.each([
    ["nothing", ""],
    ["no id", A],
    ["an empty id", `:${A}`],
    ["an id with a space", `my key:${A}`],
    ["an id starting with a dot", `.k:${A}`],
    ["an id longer than 64", `${"k".repeat(65)}:${A}`],
    ["16 bytes", `k1:${Buffer.alloc(16, 1).toString("base64")}`],
    ["31 bytes", `k1:${Buffer.alloc(31, 1).toString("base64")}`],
    ["33 bytes", `k1:${Buffer.alloc(33, 1).toString("base64")}`],
    ["hex, not base64", `k1:${Buffer.alloc(32, 1).toString("hex")}`],
    ["base64 without its padding", `k1:${A.replace(/=+$/, "")}`],
    ["the URL-safe alphabet", `k1:${"-_".repeat(21)}A=`],
    ["the same id twice", `k1:${A},k1:${B}`],
    ["a trailing comma", `k1:${A},`],
  ])("refuses %s, without repeating the key", (_why, text) => {
    let error: unknown;
    try {
      EncryptionKeys.parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EncryptionKeysError);
    const message = (error as Error).message;
    for (const key of [A, B, A.replace(/=+$/, ""), Buffer.alloc(32, 1).toString("hex")]) {
      expect(message).not.toContain(key);
    }
  });

  it("shows no key material when the keys are logged or serialized", () => {
    const keys = EncryptionKeys.parse(`k1:${A}`);
    const hex = Buffer.from(A, "base64").toString("hex");
    for (const shown of [inspect(keys, { showHidden: true, depth: 5 }), JSON.stringify(keys), String(keys)]) {
      expect(shown).not.toContain(A);
      expect(shown).not.toContain(hex);
    }
  });
});

describe("encrypt and decrypt", () => {
  const keys = EncryptionKeys.parse(`k1:${A}`);

  it("round-trips any text, empty and non-ASCII included", () => {
    for (const text of ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "", "é ✓ 😀", "x".repeat(20_000)]) {
      const stored = keys.encrypt(text, CONTEXT);
      expect(keys.decrypt(stored, CONTEXT)).toBe(text);
    }
  });

  it("stores enc:v1:<key id>:<iv>:<tag>:<ciphertext>, a new iv each time, never the plaintext", () => {
    const secret = "a-raw-shared-secret-0123456789";
    const one = keys.encrypt(secret, CONTEXT);
    const two = keys.encrypt(secret, CONTEXT);
    expect(one).toMatch(/^enc:v1:k1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/);
    expect(one).not.toBe(two);
    expect(one).not.toContain(secret);
    expect(Buffer.from(one.split(":")[5] as string, "base64").toString("latin1")).not.toContain("shared");
    expect(isEncrypted(one)).toBe(true);
    expect(encryptionKeyIdOf(one)).toBe("k1");
  });

  it("tells values stored before encryption apart: they have no enc:v<n>: prefix", () => {
    expect(isEncrypted("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toBe(false);
    expect(isEncrypted("encrypted-looking-raw-secret-123")).toBe(false);
    expect(encryptionKeyIdOf("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toBeNull();
  });

  it("refuses a value of a key it does not hold, naming that key and the setting", () => {
    const stored = EncryptionKeys.parse(`gone:${B}`).encrypt("s3cret-value-0123456789", CONTEXT);
    expect(() => keys.decrypt(stored, CONTEXT)).toThrow(DecryptionError);
    expect(() => keys.decrypt(stored, CONTEXT)).toThrow(
      /key "gone", which HOOKYARD_ENCRYPTION_KEYS does not hold \(it holds "k1"\)/,
    );
  });

  it("refuses a key id that names another key (same id, other bytes)", () => {
    const stored = EncryptionKeys.parse(`k1:${B}`).encrypt("s3cret-value-0123456789", CONTEXT);
    expect(() => keys.decrypt(stored, CONTEXT)).toThrow(/does not decrypt with key "k1"/);
  });

  it("refuses a value whose ciphertext, tag or iv was altered", () => {
    const stored = keys.encrypt("s3cret-value-0123456789", CONTEXT);
    const parts = stored.split(":");
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, "base64");
      bytes[0] = (bytes[0] as number) ^ 1;
      return bytes.toString("base64");
    };
    for (const i of [3, 4, 5]) {
      const altered = parts.map((part, j) => (j === i ? flip(part) : part)).join(":");
      expect(() => keys.decrypt(altered, CONTEXT), `part ${i}`).toThrow(
        /does not decrypt with key "k1": it was altered/,
      );
    }
    // A shorter ciphertext, and a tag cut short (GCM would accept a shorter tag unless told not to).
    const cut = parts.map((part, j) => (j === 5 ? Buffer.from(part, "base64").subarray(1).toString("base64") : part));
    expect(() => keys.decrypt(cut.join(":"), CONTEXT)).toThrow(DecryptionError);
    const shortTag = parts.map((part, j) =>
      j === 4 ? Buffer.from(part, "base64").subarray(0, 12).toString("base64") : part,
    );
    expect(() => keys.decrypt(shortTag.join(":"), CONTEXT)).toThrow(/not of the form/);
  });

  it("refuses a value moved to another field or row (the context is authenticated)", () => {
    const stored = keys.encrypt("s3cret-value-0123456789", CONTEXT);
    expect(() => keys.decrypt(stored, "webhook:whk_2:secret")).toThrow(/copied from another field or row/);
    expect(() => keys.decrypt(stored, "webhook:whk_1:headers")).toThrow(DecryptionError);
  });

  it.each([
    ["plaintext", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", /not of the form/],
    ["too few parts", "enc:v1:k1:abc", /not of the form/],
    ["a later version", "enc:v2:k1:a:b:c", /a form this version cannot read \(enc:v2\)/],
    ["junk base64", "enc:v1:k1:!!!!:!!!!:!!!!", /not of the form/],
  ])("refuses %s", (_why, stored, message) => {
    expect(() => keys.decrypt(stored, CONTEXT)).toThrow(message);
  });
});

describe("rotation", () => {
  it("encrypts with the new key once it is first; values of the old one still decrypt while it is listed", () => {
    const before = EncryptionKeys.parse(`old:${A}`);
    const during = EncryptionKeys.parse(`new:${B},old:${A}`);
    const after = EncryptionKeys.parse(`new:${B}`);
    const underOld = before.encrypt("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CONTEXT);

    expect(during.decrypt(underOld, CONTEXT)).toBe("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    const again = during.encrypt(during.decrypt(underOld, CONTEXT), CONTEXT);
    expect(encryptionKeyIdOf(again)).toBe("new");
    expect(after.decrypt(again, CONTEXT)).toBe("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(() => after.decrypt(underOld, CONTEXT)).toThrow(/key "old"/);
  });

  it("lets every process know a key before any encrypts with it: listed second, it only decrypts", () => {
    const first = EncryptionKeys.parse(`old:${A},new:${B}`);
    expect(encryptionKeyIdOf(first.encrypt("x", CONTEXT))).toBe("old");
    const written = EncryptionKeys.parse(`new:${B},old:${A}`).encrypt("x", CONTEXT);
    expect(first.decrypt(written, CONTEXT)).toBe("x");
  });
});
