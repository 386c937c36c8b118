import { describe, expect, it } from "vitest";
import { acceptedEncodings } from "./precompressed-assets.js";

describe("acceptedEncodings", () => {
  it("takes the codings a browser lists, in any case and with spaces", () => {
    expect([...acceptedEncodings("gzip, deflate, br, zstd")].sort()).toEqual(["br", "deflate", "gzip", "zstd"]);
    expect([...acceptedEncodings(" GZIP ;q=0.8 ,Br")].sort()).toEqual(["br", "gzip"]);
  });

  it("takes none when there is no header, or only identity", () => {
    expect(acceptedEncodings(undefined).size).toBe(0);
    expect(acceptedEncodings("").size).toBe(0);
    expect([...acceptedEncodings("identity")]).toEqual(["identity"]);
  });

  it("refuses a coding given q=0, in any of its spellings", () => {
    expect(acceptedEncodings("br;q=0, gzip").has("br")).toBe(false);
    expect(acceptedEncodings("br; q=0.0, gzip").has("br")).toBe(false);
    expect(acceptedEncodings("br;q=0.000").has("br")).toBe(false);
    expect(acceptedEncodings("br;q=0.001").has("br")).toBe(true);
  });

  it("reads * as every coding not refused by name", () => {
    expect([...acceptedEncodings("*")].sort()).toEqual(["br", "gzip"]);
    expect([...acceptedEncodings("*, br;q=0")]).toEqual(["gzip"]);
    expect(acceptedEncodings("*;q=0").size).toBe(0);
  });

  it("ignores what is not a coding, and reads no more than the first KiB of a hostile header", () => {
    expect([...acceptedEncodings(",,;q=1, ;, gzip")]).toEqual(["gzip"]);
    expect(acceptedEncodings(`${"x, ".repeat(100_000)}br`).has("br")).toBe(false);
  });
});
