import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { check, type Diagnostics } from "recheck";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/*
 * Every regular expression in the project's sources (apps/*\/src, packages/*\/src), checked with
 * recheck, a ReDoS checker (automata theory, and fuzzing where that cannot decide): none may take
 * more than linear time, whatever string it is given. Its verdicts are the same on every run: its
 * fuzzer has a fixed seed, and the time limits are lifted, so a busy machine changes only how long
 * it takes. Input cost as a whole (parsers, validators, the API) is timed in tests/input-cost.test.ts.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where a RegExp is built at run time: the test cannot read its source, so each one here says what
 * it builds, and that is checked instead. Anywhere else, write a literal. */
const BUILT_AT_RUN_TIME: Record<string, { why: string; builds: Array<[source: string, flags: string]> }> = {
  "apps/api/src/openapi/params.ts": {
    why: "the OpenAPI document's pattern of an id parameter: its kind's prefix, anchored",
    builds: [["^wh_", ""]],
  },
  "packages/queues/src/redis-memory.ts": {
    why: "one field of Redis's INFO answer, by its constant name",
    builds: [["^used_memory:(.*)$", "m"]],
  },
};

interface Found {
  where: string;
  source: string;
  flags: string;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules" && entry.name !== "generated") walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/\.(test|d)\.tsx?$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  for (const group of ["apps", "packages"]) {
    for (const name of readdirSync(join(ROOT, group))) {
      try {
        walk(join(ROOT, group, name, "src"));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
  }
  return files.sort();
}

/** Regex literals, and the places that build a RegExp from a string (new RegExp, RegExp(), and
 * match/matchAll/search, which turn a string argument into one). */
function regexesIn(file: string): { literals: Found[]; built: string[] } {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  const name = relative(ROOT, file);
  const literals: Found[] = [];
  const built: string[] = [];
  const at = (node: ts.Node) => `${name}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
  const visit = (node: ts.Node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sf);
      const end = literal.lastIndexOf("/");
      literals.push({ where: at(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.expression.getText(sf) === "RegExp") {
      built.push(at(node));
    } else if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ["match", "matchAll", "search"].includes(node.expression.name.text) &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      built.push(at(node));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { literals, built };
}

function verdict(d: Diagnostics): string {
  if (d.status === "safe") return "safe";
  if (d.status === "vulnerable") return `${d.complexity.type}, e.g. ${d.attack.pattern}`;
  return `unknown (${d.error.kind}${"message" in d.error ? `: ${d.error.message}` : ""})`;
}

describe("regular expressions", () => {
  const files = sourceFiles();
  const found = files.map(regexesIn);
  const literals = found.flatMap((f) => f.literals);
  const built = found.flatMap((f) => f.built);

  it("are literals, except where a RegExp built at run time is listed with what it builds", () => {
    expect(literals.length).toBeGreaterThan(40);
    const unlisted = built.filter((where) => !Object.hasOwn(BUILT_AT_RUN_TIME, where.slice(0, where.lastIndexOf(":"))));
    expect(unlisted, "write these as regex literals, so that they are checked below").toEqual([]);
    const stale = Object.keys(BUILT_AT_RUN_TIME).filter((file) => !built.some((where) => where.startsWith(`${file}:`)));
    expect(stale, "these no longer build a RegExp: take them off the list").toEqual([]);
  });

  it("all run in linear time (recheck)", async () => {
    const checked = [
      ...literals,
      ...Object.entries(BUILT_AT_RUN_TIME).flatMap(([file, { builds }]) =>
        builds.map(([source, flags]) => ({ where: `${file} (built)`, source, flags })),
      ),
    ];
    const problems: string[] = [];
    // One at a time: recheck's own process checks them no faster side by side on two cores.
    for (const regex of checked) {
      // The g and y flags change where a match starts, not what it costs.
      const result = await check(regex.source, regex.flags.replace(/[gy]/g, ""), {
        timeout: null,
        incubationTimeout: null,
        attackTimeout: null,
        seedingTimeout: null,
      });
      if (result.status !== "safe") problems.push(`${regex.where} /${regex.source}/${regex.flags}: ${verdict(result)}`);
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
