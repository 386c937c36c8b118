import { describe, expect, it } from "vitest";
import { withoutTrailingSlashes } from "./trailing-slashes.js";

describe("withoutTrailingSlashes", () => {
  it.each([
    ["https://hooks.example.com/", "https://hooks.example.com"],
    ["https://hooks.example.com/base//", "https://hooks.example.com/base"],
    ["https://hooks.example.com", "https://hooks.example.com"],
    ["///", ""],
    ["", ""],
  ])("%j -> %j", (text, expected) => {
    expect(withoutTrailingSlashes(text)).toBe(expected);
  });

  it("takes a long run of slashes that does not end the text in one pass", () => {
    const text = `${"/".repeat(1 << 20)}x/`;
    expect(withoutTrailingSlashes(text)).toBe(text.slice(0, -1));
  });
});
