import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Found, metricsIn, type RegisteredMetric, settingsNamedIn, settingsReadIn } from "./support/code-facts.js";
import {
  anchorsOf,
  inlineCodeOf,
  linksOf,
  type MarkdownPage,
  parseMarkdown,
  tablesOf,
  textOf,
} from "./support/markdown.js";

// Docs that stay true (issue 26): what the code reads and registers is documented, and what the
// Markdown links to is there. No service is needed: files, git's file list and parsers only. Every
// failure names the file and line to look at.

const root = fileURLToPath(new URL("..", import.meta.url));

/** The files of the checkout: tracked ones and new ones git does not ignore (CI's clone has the first only). */
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\0")
  .filter((file) => file !== "" && !file.includes("node_modules/") && existsSync(join(root, file)));
const fileSet = new Set(files);

const read = (file: string) => readFileSync(join(root, file), "utf8");
const where = (found: Found) => `${found.file}:${found.line}`;

const SOURCE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;
const isTest = (file: string) => /\.test\.[a-z]+$/.test(file) || file.startsWith("tests/");
/** Code Hookyard runs: the apps, the packages, the scripts (`pnpm start`, `pnpm secrets:reencrypt`). */
const runs = (file: string) =>
  SOURCE.test(file) && !isTest(file) && /^(?:apps\/[^/]+\/src|packages\/[^/]+\/src|scripts)\//.test(file);

const parsed = new Map<string, MarkdownPage>();
function markdown(file: string): MarkdownPage {
  const page = parsed.get(file) ?? parseMarkdown(read(file));
  parsed.set(file, page);
  return page;
}

/** The name as a whole word: HOOKYARD_RETENTION is not found in HOOKYARD_BODY_RETENTION. */
const mentions = (text: string, name: string) => new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(text);

describe("settings", () => {
  // Where an operator looks: the README and docs/*.md.
  const operatorDocs = ["README.md", ...files.filter((f) => /^docs\/[^/]+\.md$/.test(f))].map(read).join("\n");
  // The test kit's own settings (which Postgres the tests use) are a contributor's: CONTRIBUTING.md.
  const contributorDocs = read("CONTRIBUTING.md");

  it("every HOOKYARD_* setting packages/config reads is in the README or docs/*.md", () => {
    const settings = new Map<string, Found>();
    for (const file of files.filter((f) => f.startsWith("packages/config/src/") && runs(f))) {
      for (const [name, found] of settingsNamedIn(root, file)) if (!settings.has(name)) settings.set(name, found);
    }
    expect(
      settings.size,
      "no HOOKYARD_* setting found in packages/config: has reading them changed shape?",
    ).toBeGreaterThan(10);
    const undocumented = [...settings].filter(([name]) => !mentions(operatorDocs, name));
    expect(
      undocumented.map(([name, found]) => `${where(found)}: ${name} is read but not in README.md or docs/*.md`),
    ).toEqual([]);
  });

  // Read outside packages/config through process.env: in the apps and packages (whatever runs in a
  // Hookyard process) and the scripts behind `pnpm start` and friends, which an operator sets too.
  // packages/testkit's are the tests' own (CONTRIBUTING.md). Not counted: tests/ and bench/ (knobs of
  // one test or scenario, described where they are read) and the shell scripts of scripts/containers
  // (knobs of CI's image build, described in the scripts themselves).
  it("every HOOKYARD_* setting read through process.env elsewhere is documented", () => {
    const settings = new Map<string, Found>();
    for (const file of files.filter((f) => runs(f) && !f.startsWith("packages/config/"))) {
      const text = read(file);
      if (!text.includes("process.env") || !text.includes("HOOKYARD_")) continue;
      for (const [name, found] of settingsReadIn(root, file)) if (!settings.has(name)) settings.set(name, found);
    }
    expect(settings.size, "no process.env.HOOKYARD_* read found outside packages/config").toBeGreaterThan(0);
    const undocumented = [...settings].flatMap(([name, found]) => {
      const forContributors = found.file.startsWith("packages/testkit/");
      if (mentions(forContributors ? contributorDocs : operatorDocs, name)) return [];
      return [
        `${where(found)}: ${name} is read but not in ${forContributors ? "CONTRIBUTING.md" : "README.md or docs/*.md"}`,
      ];
    });
    expect(undocumented).toEqual([]);
  });
});

describe("metrics", () => {
  const found = files
    .filter((f) => runs(f) && read(f).includes("prom-client"))
    .map((f) => metricsIn(root, f))
    .reduce(
      (all, one) => ({
        metrics: [...all.metrics, ...one.metrics],
        defaultPrefixes: [...all.defaultPrefixes, ...one.defaultPrefixes],
        unreadable: [...all.unreadable, ...one.unreadable],
      }),
      { metrics: [], defaultPrefixes: [], unreadable: [] },
    );
  const byName = new Map<string, RegisteredMetric[]>();
  for (const metric of found.metrics) byName.set(metric.name, [...(byName.get(metric.name) ?? []), metric]);
  const doc = "docs/metrics.md";

  /** The rows of docs/metrics.md's tables that have a `metric` column, read by their header's names. */
  function documentedRows() {
    const rows: Array<{
      line: number;
      metric: string[];
      text: (column: string) => string;
      codes: (column: string) => string[];
    }> = [];
    for (const { header, body } of tablesOf(markdown(doc))) {
      const columns = header.cells.map((cell) => textOf(cell).trim().toLowerCase());
      const at = (column: string) => columns.findIndex((c) => c.startsWith(column));
      if (at("metric") < 0) continue;
      for (const row of body) {
        rows.push({
          line: row.line,
          metric: inlineCodeOf(row.cells[at("metric")]),
          text: (column) => textOf(row.cells[at(column)]),
          codes: (column) => inlineCodeOf(row.cells[at(column)]),
        });
      }
    }
    return rows;
  }

  it("every metric is read from the code with its name and labels as literals", () => {
    expect(found.metrics.length, "no prom-client metric found in apps/, packages/ or scripts/").toBeGreaterThan(0);
    expect(found.defaultPrefixes.length, "no collectDefaultMetrics found").toBeGreaterThan(0);
    expect(found.unreadable.map((u) => `${where(u)}: ${u.reason}`)).toEqual([]);
  });

  it("every metric registered in code is in docs/metrics.md, with its type, labels and process", () => {
    const rows = documentedRows();
    expect(rows.length, `${doc} has no table with a "metric" column`).toBeGreaterThan(0);
    const problems: string[] = [];
    const exportedBy = (metric: RegisteredMetric) => /^apps\/([^/]+)\//.exec(metric.file)?.[1];
    for (const [name, registrations] of byName) {
      const row = rows.find((r) => r.metric.includes(name));
      const first = registrations[0] as RegisteredMetric;
      if (!row) {
        problems.push(`${where(first)}: ${name} is registered but not in a table of ${doc}`);
        continue;
      }
      for (const metric of registrations) {
        if (!row.text("type").toLowerCase().includes(metric.type)) {
          problems.push(
            `${doc}:${row.line}: ${name} is a ${metric.type} (${where(metric)}), the table says "${row.text("type")}"`,
          );
        }
        for (const label of metric.labels.filter((l) => !row.codes("labels").includes(l))) {
          problems.push(
            `${doc}:${row.line}: ${name} has the label ${label} (${where(metric)}), not in its labels cell`,
          );
        }
        const app = exportedBy(metric);
        if (app && !row.text("exported by").toLowerCase().includes(app)) {
          problems.push(`${doc}:${row.line}: ${name} is exported by ${app} (${where(metric)}), not said in its row`);
        }
      }
    }
    for (const { prefix, ...at } of found.defaultPrefixes) {
      if (!rows.some((r) => r.metric.some((code) => code.startsWith(prefix)))) {
        problems.push(`${where(at)}: process metrics prefixed ${prefix} are not in a table of ${doc}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("docs/metrics.md documents no metric that the code does not register", () => {
    const prefixes = found.defaultPrefixes.map((p) => p.prefix);
    const stale = documentedRows().flatMap((row) =>
      row.metric
        .filter((code) => /^hookyard_/.test(code) && !byName.has(code) && !prefixes.some((p) => code.startsWith(p)))
        .map((code) => `${doc}:${row.line}: ${code} is documented but registered nowhere`),
    );
    expect(stale).toEqual([]);
  });
});

describe("links", () => {
  const pages = files.filter((f) => f.endsWith(".md"));
  const anchorsByPage = new Map<string, Set<string>>();
  const anchors = (page: string) => {
    const set = anchorsByPage.get(page) ?? anchorsOf(markdown(page));
    anchorsByPage.set(page, set);
    return set;
  };
  /** A file of the checkout, or a folder holding one (GitHub shows a folder's listing). */
  const exists = (path: string) => path === "." || fileSet.has(path) || files.some((f) => f.startsWith(`${path}/`));

  it("every relative link in the Markdown resolves, and its #anchor names a heading", () => {
    expect(pages.length, "no Markdown file found").toBeGreaterThan(10);
    let checked = 0;
    const broken: string[] = [];
    for (const page of pages) {
      for (const { url, line } of linksOf(markdown(page))) {
        // Addresses with a scheme (https:, mailto:) and protocol-relative ones are not the checkout's.
        if (/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith("//")) continue;
        checked++;
        const at = `${page}:${line}: ${url}`;
        const hash = url.indexOf("#");
        const pathPart = (hash < 0 ? url : url.slice(0, hash)).replace(/\?.*$/, "");
        let path: string;
        let anchor: string | null;
        try {
          path = decodeURIComponent(pathPart);
          anchor = hash < 0 ? null : decodeURIComponent(url.slice(hash + 1));
        } catch {
          broken.push(`${at}: not validly percent-encoded`);
          continue;
        }
        // GitHub resolves a leading / from the repository's root, anything else from the page's folder.
        const target =
          path === ""
            ? page
            : normalize(path.startsWith("/") ? path.slice(1) : join(dirname(page), path)).replace(/\/$/, "");
        if (target === ".." || target.startsWith("../")) {
          broken.push(`${at}: points outside the repository`);
        } else if (!exists(target)) {
          broken.push(`${at}: ${target} is no file or folder of the checkout`);
        } else if (anchor !== null && target.endsWith(".md") && !anchors(target).has(anchor)) {
          broken.push(`${at}: ${target} has no heading whose anchor is #${anchor}`);
        }
      }
    }
    expect(checked, "no relative link found in the Markdown: has reading links changed shape?").toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});
