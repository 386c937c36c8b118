import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

// The repository's dependency lists (decision 0017): one version per dependency, Prisma's packages
// aligned, and nothing browser-only in what the images ship.

const root = fileURLToPath(new URL("..", import.meta.url));
const run = promisify(execFile);

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

const USE_THE_SDK = `
import { parseZotEvent, renderPayload } from "@hookyard/core";
const event = { type: "TAG_PUSH", dedupKey: "k", source: "distribution", namespace: "acme", repository: "acme/web",
  tag: "1.0", digest: "sha256:${"a".repeat(64)}", actor: null, occurredAt: "2026-12-06T00:00:00.000Z", data: {} };
console.log(JSON.stringify(renderPayload("cloudevents", event, "evt_1")));
const zot = { name: "acme/web", reference: "1.0", digest: "sha256:${"b".repeat(64)}" };
console.log(JSON.stringify(parseZotEvent(zot, "application/json", { "ce-specversion": "1.0", "ce-id": "z1",
  "ce-source": "zotregistry.dev", "ce-type": "zotregistry.image.updated", "ce-time": "2026-12-06T00:00:00Z" })));
`;

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

  describe("the images' production trees (docker/Dockerfile steps 4 and 6, needs pnpm -s build)", () => {
    const out = mkdtempSync(join(tmpdir(), "hookyard-deploy-"));
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    for (const app of ["api", "worker"]) {
      it(`@hookyard/${app}: the CloudEvents SDK without its browser polyfills or bundle, and it still works`, async () => {
        const tree = join(out, app);
        // The Dockerfile's own commands, from the store `pnpm install` filled.
        await run(
          "pnpm",
          [
            "deploy",
            "--config.inject-workspace-packages=true",
            `--filter=@hookyard/${app}`,
            "--prod",
            "--offline",
            tree,
          ],
          { cwd: root },
        );
        await run("sh", [join(root, "docker/prune-deployed.sh"), tree]);

        const installed = readdirSync(join(tree, "node_modules/.pnpm"));
        const cloudevents = `cloudevents@${workspace.catalog.cloudevents}`;
        expect(installed).toContain(cloudevents);
        expect(installed.filter((entry) => /^(process|util)@/.test(entry))).toEqual([]);
        const sdk = join(tree, "node_modules/.pnpm", cloudevents, "node_modules/cloudevents");
        expect(readdirSync(sdk)).not.toContain("bundles");

        // What the server does with it, through the deployed @hookyard/core: render a delivery in
        // the cloudevents format, and read a Zot event (binary mode).
        const { stdout } = await run(process.execPath, ["--input-type=module", "-e", USE_THE_SDK], { cwd: tree });
        const [rendered, parsed] = stdout
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line));
        expect(rendered.contentType).toBe("application/cloudevents+json; charset=utf-8");
        expect(JSON.parse(rendered.body)).toMatchObject({ id: "evt_1", type: "io.hookyard.tag.pushed" });
        expect(parsed).toMatchObject({ ok: true, events: [{ type: "MANIFEST_PUSH" }, { type: "TAG_PUSH" }] });
      }, 120_000);
    }
  });
});
