import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tooDeepJson } from "./json-depth.js";
import { findUnstorable, MAX_JSON_DEPTH } from "./storable.js";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** A small JSON value inside 20 to 40 arrays and objects, each maybe with neighbours before it. */
const deepValue = fc
  .tuple(
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(
      fc.oneof(
        fc.record({ array: fc.constant(true), before: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 2 }) }),
        fc.record({
          array: fc.constant(false),
          key: fc.string(),
          siblings: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
        }),
      ),
      { minLength: 20, maxLength: 40 },
    ),
  )
  .map(([leaf, wrappers]) =>
    wrappers.reduce<unknown>(
      (inner, w) => ("before" in w ? [...w.before, inner] : { ...w.siblings, [w.key]: inner }),
      leaf,
    ),
  );

describe("tooDeepJson", () => {
  it("gives findUnstorable's answer about depth, read from the text", () => {
    fc.assert(
      fc.property(deepValue, (value) => {
        const expected = findUnstorable(value);
        // Strings Postgres could not store are findUnstorable's to report; depth is what is compared.
        fc.pre(expected === null || expected.message.endsWith(`nested deeper than ${MAX_JSON_DEPTH} levels`));
        expect(tooDeepJson(utf8(JSON.stringify(value)))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("reads brackets inside strings, escaped quotes included, as text", () => {
    const text = JSON.stringify({ note: `\\"${"[".repeat(100)}`, list: ["{".repeat(100)] });
    expect(tooDeepJson(utf8(text))).toBe(null);
  });

  it("names keys as JSON.parse reads them, escapes and non-ASCII included", () => {
    let value: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) value = { 'é"\\n': value };
    const found = tooDeepJson(utf8(JSON.stringify(value)));
    expect(found?.field).toBe(Array(MAX_JSON_DEPTH).fill('é"\\n').join("."));
  });

  it("refuses a body that only opens, with the path it got to", () => {
    expect(tooDeepJson(utf8(`{"events": ${"[".repeat(1_000)}`), "body")?.message).toBe(
      `events${"[0]".repeat(MAX_JSON_DEPTH - 1)}: is nested deeper than ${MAX_JSON_DEPTH} levels`,
    );
  });
});
