import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The repository's dependency lists (decision 0017): one version per dependency, Prisma's packages
// aligned.

const root = fileURLToPath(new URL("..", import.meta.url));

const workspace = parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")) as {
  catalog: Record<string, string>;
};
const lockfile = parse(readFileSync(join(root, "pnpm-lock.yaml"), "utf8")) as {
  importers: Record<string, Record<string, Record<string, { specifier: string; version: string }>>>;
};

const manifests = ["", ...["apps", "packages"].flatMap((dir) => readdirSync(join(root, dir)).map((p) => `${dir}/${p}`))]
  .filter((dir) => existsSync(join(root, dir, "package.json")))
  .map((dir) => ({ dir: dir || ".", json: JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) }));

/** Every dependency of every package.json, workspace packages left out: name -> [where, specifier]. */
function dependencyUses(): Map<string, [string, string][]> {
  const uses = new Map<string, [string, string][]>();
  for (const { dir, json } of manifests) {
    for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
      for (const [name, specifier] of Object.entries<string>(json[field] ?? {})) {
        if (specifier.startsWith("workspace:")) continue;
        uses.set(name, [...(uses.get(name) ?? []), [`${dir} ${field}`, specifier]]);
      }
    }
  }
  return uses;
}

describe("dependencies", () => {
  it("a dependency that several package.json files name takes its one version from the catalog", () => {
    const uses = dependencyUses();
    const pinnedTwice = [...uses].filter(
      ([, where]) => where.length > 1 && where.some(([, specifier]) => specifier !== "catalog:"),
    );
    expect(pinnedTwice, 'use "catalog:" and write the version in pnpm-workspace.yaml').toEqual([]);

    for (const [name, version] of Object.entries(workspace.catalog)) {
      expect(version, `catalog: ${name}`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(uses.has(name), `catalog: ${name} is used by no package.json`).toBe(true);
    }
  });

  it("Prisma's CLI, client and driver adapter are one version", () => {
    const db = lockfile.importers["packages/db"]!;
    const version = (name: string) =>
      (db.dependencies?.[name] ?? db.devDependencies?.[name])?.version.replace(/\(.*$/, "");
    expect(version("@prisma/client")).toMatch(/^7\./);
    expect(version("prisma")).toBe(version("@prisma/client"));
    expect(version("@prisma/adapter-pg")).toBe(version("@prisma/client"));
  });
});
