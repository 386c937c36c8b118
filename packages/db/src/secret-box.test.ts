import { EncryptionKeys, newEncryptionKey } from "@hookyard/core";
import { describe, expect, it } from "vitest";
import { SecretBox } from "./secret-box.js";

const keys = EncryptionKeys.parse(`k1:${newEncryptionKey()}`);
const parseObject = (plain: string) => JSON.parse(plain) as object;

describe("SecretBox", () => {
  it("opens what it sealed, and takes a value stored before encryption as it is", () => {
    const box = new SecretBox(keys);
    const stored = box.seal("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "ctx");
    expect(stored).toMatch(/^enc:v1:k1:/);
    expect(box.open(stored, "ctx", (p) => p)).toBe("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    expect(box.open("stored-in-clear-before-0013", "ctx", (p) => p)).toBe("stored-in-clear-before-0013");
  });

  it("keeps what it opened for that stored value only: a new value of the same field is decrypted", () => {
    const box = new SecretBox(keys);
    const first = box.seal('{"a":"1"}', "ctx");
    const opened = box.open(first, "ctx", parseObject);
    expect(box.open(first, "ctx", parseObject)).toBe(opened);
    const second = box.seal('{"a":"2"}', "ctx");
    expect(box.open(second, "ctx", parseObject)).toEqual({ a: "2" });
    // A stored value differing in one character is no hit: it is decrypted, and refused.
    const altered = `${second.slice(0, -2)}${second.at(-2) === "A" ? "B" : "A"}${second.at(-1)}`;
    expect(() => box.open(altered, "ctx", parseObject)).toThrow(/does not decrypt/);
  });

  it("keeps two values of one context apart when they have slots of their own", () => {
    const box = new SecretBox(keys);
    const current = box.seal('{"s":"new"}', "webhook:a:secret");
    const previous = box.seal('{"s":"old"}', "webhook:a:secret");
    const openCurrent = box.open(current, "webhook:a:secret", parseObject, "current");
    const openPrevious = box.open(previous, "webhook:a:secret", parseObject, "previous");
    expect(box.open(current, "webhook:a:secret", parseObject, "current")).toBe(openCurrent);
    expect(box.open(previous, "webhook:a:secret", parseObject, "previous")).toBe(openPrevious);
  });

  it("refuses a value opened in one context when it is copied to another, cached or not", () => {
    const box = new SecretBox(keys);
    const stored = box.seal("s3cret-value-0123456789", "webhook:a:secret");
    box.open(stored, "webhook:a:secret", (p) => p);
    expect(() => box.open(stored, "webhook:b:headers", (p) => p)).toThrow(/copied from another field or row/);
  });

  it("holds at most its budget, the least recently used going first", () => {
    const box = new SecretBox(keys, 150); // two of these entries (74 characters each), not three
    const a = box.seal('{"v":"a"}', "a");
    const b = box.seal('{"v":"b"}', "b");
    const c = box.seal('{"v":"c"}', "c");
    const openA = box.open(a, "a", parseObject);
    const openB = box.open(b, "b", parseObject);
    expect(box.open(a, "a", parseObject)).toBe(openA); // a is now the most recently used
    box.open(c, "c", parseObject); // over budget: b goes
    expect(box.open(a, "a", parseObject)).toBe(openA);
    expect(box.open(b, "b", parseObject)).not.toBe(openB);
  });

  it("without keys reads values in clear only, and says why it cannot do more", () => {
    const box = new SecretBox(null);
    expect(box.open("in-clear-secret-0123456789", "ctx", (p) => p)).toBe("in-clear-secret-0123456789");
    expect(() => box.seal("x", "ctx")).toThrow(/no encryption keys: pass HOOKYARD_ENCRYPTION_KEYS/);
    expect(() => box.open(new SecretBox(keys).seal("x", "ctx"), "ctx", (p) => p)).toThrow(/no encryption keys/);
  });
});
