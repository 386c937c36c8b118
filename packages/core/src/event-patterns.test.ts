import { describe, expect, it } from "vitest";
import { expandEventPatterns, globMatches, MAX_EVENT_PATTERN_LENGTH, MAX_EVENT_PATTERNS } from "./event-patterns.js";
import type { Scope } from "./scope.js";

// The DTR table (contract: Event types), written out here rather than imported.
const REPOSITORY_TYPES = [
  "TAG_PUSH",
  "TAG_PULL",
  "TAG_DELETE",
  "MANIFEST_PUSH",
  "MANIFEST_PULL",
  "MANIFEST_DELETE",
  "SCAN_COMPLETED",
  "SCAN_FAILED",
  "PROMOTION",
  "PUSH_MIRRORING",
  "POLL_MIRRORING",
];
const NAMESPACE_TYPES = ["REPO_CREATED", "REPO_UPDATED", "REPO_DELETED"];
const GLOBAL_TYPES = ["SCANNER_UPDATE_COMPLETED"];

const repository: Scope = { kind: "repository", namespace: "acme", repository: "acme/web" };
const namespace: Scope = { kind: "namespace", namespace: "acme" };
const global: Scope = { kind: "global" };

function types(patterns: string[], scope: Scope): string[] {
  const result = expandEventPatterns(patterns, scope);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(patterns)} to expand, got: ${result.message}`);
  return [...result.types].sort();
}

function error(patterns: string[], scope: Scope): string {
  const result = expandEventPatterns(patterns, scope);
  if (result.ok) throw new Error(`expected ${JSON.stringify(patterns)} to be refused, got ${result.types.join(", ")}`);
  return result.message;
}

const sorted = (list: string[]) => [...list].sort();

describe("expandEventPatterns: *", () => {
  it("gives exactly the 11 repository types on a repository webhook", () => {
    const expanded = types(["*"], repository);
    expect(expanded).toEqual(sorted(REPOSITORY_TYPES));
    expect(expanded).toHaveLength(11);
  });

  it("gives the repository and REPO_* types on a namespace webhook", () => {
    expect(types(["*"], namespace)).toEqual(sorted([...REPOSITORY_TYPES, ...NAMESPACE_TYPES]));
  });

  it("gives all 15 types on a global webhook", () => {
    const expanded = types(["*"], global);
    expect(expanded).toEqual(sorted([...REPOSITORY_TYPES, ...NAMESPACE_TYPES, ...GLOBAL_TYPES]));
    expect(expanded).toHaveLength(15);
  });
});

describe("expandEventPatterns: globs", () => {
  it("expands TAG_* to the three tag types", () => {
    expect(types(["TAG_*"], repository)).toEqual(["TAG_DELETE", "TAG_PULL", "TAG_PUSH"]);
  });

  it("expands MANIFEST_* to the three manifest types", () => {
    expect(types(["MANIFEST_*"], repository)).toEqual(["MANIFEST_DELETE", "MANIFEST_PULL", "MANIFEST_PUSH"]);
  });

  it("matches a * anywhere in the pattern", () => {
    expect(types(["*_PUSH"], repository)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
    expect(types(["*MIRRORING"], repository)).toEqual(["POLL_MIRRORING", "PUSH_MIRRORING"]);
  });

  it("lets * match nothing, as in a shell glob", () => {
    expect(types(["TAG_PUSH*"], repository)).toEqual(["TAG_PUSH"]);
    expect(types(["*TAG_PULL"], repository)).toEqual(["TAG_PULL"]);
  });

  it("expands REPO_* to the three repository-management types on a namespace webhook", () => {
    expect(types(["REPO_*"], namespace)).toEqual(sorted(NAMESPACE_TYPES));
  });

  it("picks only the types the scope allows", () => {
    // SCAN_* matches SCAN_COMPLETED, SCAN_FAILED and SCANNER_UPDATE_COMPLETED; the last is global.
    expect(types(["SCAN*"], repository)).toEqual(["SCAN_COMPLETED", "SCAN_FAILED"]);
    expect(types(["SCAN*"], global)).toEqual(["SCANNER_UPDATE_COMPLETED", "SCAN_COMPLETED", "SCAN_FAILED"]);
  });

  it("refuses a glob that matches nothing the scope allows", () => {
    expect(error(["REPO_*"], repository)).toContain("REPO_*");
    expect(error(["TAGS_*"], global)).toContain("TAGS_*");
  });

  it("treats only * as special", () => {
    expect(error(["TAG.PUSH"], global)).toContain("TAG.PUSH");
    expect(error(["TAG_PUS?"], global)).toContain("TAG_PUS?");
  });
});

describe("expandEventPatterns: names", () => {
  it("accepts types that fit the scope", () => {
    expect(types(["TAG_PUSH", "MANIFEST_DELETE"], repository)).toEqual(["MANIFEST_DELETE", "TAG_PUSH"]);
    expect(types(["REPO_CREATED", "TAG_PUSH"], namespace)).toEqual(["REPO_CREATED", "TAG_PUSH"]);
    expect(types(["SCANNER_UPDATE_COMPLETED"], global)).toEqual(["SCANNER_UPDATE_COMPLETED"]);
  });

  it("refuses REPO_CREATED on a repository webhook, naming the type", () => {
    const message = error(["TAG_PUSH", "REPO_CREATED"], repository);
    expect(message).toContain("REPO_CREATED");
    expect(message).toContain("events");
  });

  it("refuses SCANNER_UPDATE_COMPLETED below the global scope, naming the type", () => {
    expect(error(["SCANNER_UPDATE_COMPLETED"], namespace)).toContain("SCANNER_UPDATE_COMPLETED");
    expect(error(["SCANNER_UPDATE_COMPLETED"], repository)).toContain("SCANNER_UPDATE_COMPLETED");
  });

  it.each(["TAG_PUSHED", "tag_push", "REPO_EVENT", "", " TAG_PUSH"])("refuses the unknown type %j", (name) => {
    const message = error([name], global);
    expect(message).toContain("events");
    expect(message).toContain(`"${name}"`);
  });

  it("refuses an empty list", () => {
    expect(error([], global)).toContain("events");
  });

  it("lists each type once however often it is asked for", () => {
    const result = expandEventPatterns(["TAG_PUSH", "TAG_*", "TAG_PUSH", "*_PUSH"], repository);
    if (!result.ok) throw new Error(result.message);
    expect(result.types).toHaveLength(new Set(result.types).size);
    expect(sorted(result.types)).toEqual(["MANIFEST_PUSH", "TAG_DELETE", "TAG_PULL", "TAG_PUSH"]);
  });

  it("answers in the same order whatever order the patterns came in", () => {
    const a = expandEventPatterns(["TAG_PUSH", "MANIFEST_PUSH", "PROMOTION"], repository);
    const b = expandEventPatterns(["PROMOTION", "MANIFEST_PUSH", "TAG_PUSH"], repository);
    expect(a).toEqual(b);
  });
});

describe("globMatches", () => {
  it.each([
    ["*", "TAG_PUSH", true],
    ["*", "", true],
    ["", "", true],
    ["", "A", false],
    ["TAG_*", "TAG_PUSH", true],
    ["TAG_*", "TAG_", true],
    ["TAG_*", "TAG", false],
    ["*_PUSH", "MANIFEST_PUSH", true],
    ["*_PUSH", "MANIFEST_PULL", false],
    ["T*G*P*H", "TAG_PUSH", true],
    ["T*G*P*X", "TAG_PUSH", false],
    ["**TAG**_**PUSH**", "TAG_PUSH", true],
    ["*A*A*", "AA", true],
    ["*A*A*", "A", false],
    ["*PUSH*PUSH", "PUSH_PUSH", true],
    ["*PUSH*PUSH", "PUSHPUSH", true],
    ["*PUSH*PUSH", "PUSH", false],
    ["TAG.PUSH", "TAG_PUSH", false],
    ["TAG_PUS?", "TAG_PUSH", false],
    ["TAG_PUS?", "TAG_PUS?", true],
    ["[A-Z]*", "TAG_PUSH", false],
  ])("%j against %j is %s", (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });

  it("answers patterns that make a backtracking matcher run for ever", () => {
    // As a RegExp, 13 stars before a Z that is not there took 12.7 s; these would not end at all.
    expect(globMatches(`${"*".repeat(13)}Z`, "SCANNER_UPDATE_COMPLETED")).toBe(false);
    expect(globMatches(`${"*A".repeat(1_000)}Z`, "A".repeat(5_000))).toBe(false);
    expect(globMatches(`${"*A".repeat(1_000)}`, "A".repeat(5_000))).toBe(true);
  });
});

describe("expandEventPatterns: bounds", () => {
  it("refuses a 13-star pattern quickly, because it matches nothing", () => {
    expect(error([`${"*".repeat(13)}Z`], global)).toMatch(/^events: /);
  });

  it("takes runs of stars as one star", () => {
    expect(types(["***TAG_***"], repository)).toEqual(["TAG_DELETE", "TAG_PULL", "TAG_PUSH"]);
  });

  it(`accepts a pattern of ${MAX_EVENT_PATTERN_LENGTH} characters and refuses a longer one, naming events`, () => {
    expect(types([`TAG_${"*".repeat(MAX_EVENT_PATTERN_LENGTH - 4)}`], repository)).toHaveLength(3);
    const message = error([`TAG_${"*".repeat(MAX_EVENT_PATTERN_LENGTH - 3)}`], repository);
    expect(message).toMatch(/^events: .*at most 100 characters/);
  });

  it("does not quote a 60,000-character pattern back", () => {
    const message = error(["*".repeat(60_000)], global);
    expect(message).toMatch(/^events: /);
    expect(message.length).toBeLessThan(200);
  });

  it(`refuses more than ${MAX_EVENT_PATTERNS} patterns`, () => {
    expect(types(Array(MAX_EVENT_PATTERNS).fill("TAG_PUSH"), repository)).toEqual(["TAG_PUSH"]);
    expect(error(Array(MAX_EVENT_PATTERNS + 1).fill("TAG_PUSH"), repository)).toMatch(/^events: at most 50/);
  });

  it("quotes a pattern with control characters escaped", () => {
    expect(error(["TAG\n*"], global)).toContain('"TAG\\n*"');
  });
});
