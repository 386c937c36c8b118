import { type Failure, type FieldPath, failure } from "./sources/first-issue.js";
import { MAX_JSON_DEPTH } from "./storable.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * findUnstorable's depth rule read from the JSON text (UTF-8) before it is parsed: the first object
 * or array nested MAX_JSON_DEPTH deep or deeper, as the same failure; null when there is none.
 * JSON.parse spends about 2 µs on each level of nesting (a 1 MiB body of "[" held the event loop
 * for 1.5 to 3 seconds, some fifty times what flat JSON of that size costs), so a body nested too
 * deep is refused before it is parsed. Only strings, brackets, braces and commas are read; whether
 * the rest is JSON is left to JSON.parse.
 */
export function tooDeepJson(utf8: Uint8Array, whole = "body"): Failure | null {
  // On the ingest path for every body: the first pass only counts; the path is found when needed.
  return tooDeepAt(utf8) < 0 ? null : failure(pathAt(utf8), `is nested deeper than ${MAX_JSON_DEPTH} levels`, whole);
}

/** The index of the first bracket or brace opened MAX_JSON_DEPTH deep; -1 when there is none. */
function tooDeepAt(utf8: Uint8Array): number {
  let depth = 0;
  for (let i = 0; i < utf8.length; i++) {
    const c = utf8[i];
    if (c === QUOTE) {
      for (i++; i < utf8.length && utf8[i] !== QUOTE; i++) if (utf8[i] === BACKSLASH) i++;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (depth === MAX_JSON_DEPTH) return i;
      depth++;
    } else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && depth > 0) {
      depth--;
    }
  }
  return -1;
}

/** The path of the first bracket or brace opened MAX_JSON_DEPTH deep, as findUnstorable names it. */
function pathAt(utf8: Uint8Array): FieldPath {
  // Per open level: array or object, the index of the current item, the span of the current key.
  const isArray: boolean[] = [];
  const index: number[] = [];
  const keys: Array<[number, number]> = [];
  let expectKey = false;
  for (let i = 0; i < utf8.length; i++) {
    const c = utf8[i];
    const depth = isArray.length;
    if (c === QUOTE) {
      const start = i;
      for (i++; i < utf8.length && utf8[i] !== QUOTE; i++) if (utf8[i] === BACKSLASH) i++;
      if (expectKey) keys[depth - 1] = [start, i + 1];
      expectKey = false;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (depth === MAX_JSON_DEPTH) break;
      isArray.push(c === OPEN_ARRAY);
      index.push(0);
      keys.push([0, 0]);
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      isArray.pop();
      index.pop();
      keys.pop();
      expectKey = false;
    } else if (c === COMMA && depth > 0) {
      if (isArray[depth - 1]) index[depth - 1] = (index[depth - 1] as number) + 1;
      else expectKey = true;
    }
  }
  return isArray.map((array, level) =>
    array ? (index[level] as number) : keyText(utf8.subarray(...(keys[level] as [number, number]))),
  );
}

/** A key as JSON.parse would read it; as written when it is not valid JSON (then neither is the body). */
function keyText(quoted: Uint8Array): string {
  const text = new TextDecoder().decode(quoted);
  try {
    return String(JSON.parse(text));
  } catch {
    return text.slice(1, -1);
  }
}
