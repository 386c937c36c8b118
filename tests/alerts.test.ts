import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ADMIN_TOKEN, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";
import { type PrometheusServer, parsePrometheus, startPrometheus } from "./support/prometheus.js";

// deploy/prometheus and deploy/grafana: the alerting rules checked and unit-tested by Debian's
// promtool (scripts/test-prerequisites.sh installs it), and every metric name in the rules, their
// tests and the dashboard checked against what a real API and worker serve on /metrics.

const root = fileURLToPath(new URL("..", import.meta.url));
const RULES = "deploy/prometheus/hookyard-alerts.yaml";
const RULE_TESTS = "deploy/prometheus/hookyard-alerts.test.yaml";
const DASHBOARD = "deploy/grafana/hookyard-dashboard.json";

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleTest {
  input_series: Array<{ series: string }>;
  alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }>;
}
interface Panel {
  title?: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string }>;
  panels?: Panel[];
}

const read = (path: string) => readFileSync(`${root}${path}`, "utf8");
const rules = () => (parse(read(RULES)) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const ruleTests = () => (parse(read(RULE_TESTS)) as { tests: RuleTest[] }).tests;
const dashboard = () => JSON.parse(read(DASHBOARD)) as { schemaVersion: number; templating: any; panels: Panel[] };
const panels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);

function run(command: string, args: string[]) {
  return spawnSync(command, args, { cwd: root, encoding: "utf8" });
}

/** Words of PromQL that are no metric: keywords, and the modifiers that take a label list. */
const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring"]);
const LABEL_LISTS = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g;

/**
 * The metric names a PromQL expression selects: its identifiers, less function and aggregation
 * names (followed by `(`), keywords, label lists (`by (le)`), label matchers (`{...}`), range and
 * subquery durations (`[5m]`), strings, numbers, and Grafana's `$variables`.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{?\w+\}?/g, "")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(LABEL_LISTS, " ");
  const names = new Set<string>();
  // Numbers (0.05, 1e6, 5m) are matched first so that their letters are never read as a name.
  for (const m of bare.matchAll(/\d[\w.+]*|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (name && !call && !KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

describe("metricNames, the PromQL reader of these tests", () => {
  it("finds selected metrics and nothing else", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le) (rate(hookyard_x_seconds_bucket{result=~"2xx|5xx"}[$__rate_interval])))',
      ),
    ).toEqual(["hookyard_x_seconds_bucket"]);
    expect(
      metricNames(
        'sum(max by (queue, state) (a_total{q="x"})) > 1e6 and on (job, instance) rate(b[5m] offset 1h) > 0 or absent(up == 1)',
      ),
    ).toEqual(["a_total", "b", "up"]);
    expect(metricNames("c / ignoring(lane) group_left (d) e unless f")).toEqual(["c", "e", "f"]);
  });
});

describe("deploy/prometheus/hookyard-alerts.yaml", () => {
  it("passes `promtool check rules`", () => {
    const checked = run("promtool", ["check", "rules", RULES]);
    expect(checked.error, "promtool (Debian package prometheus) is installed").toBeUndefined();
    expect(checked.stdout + checked.stderr).toContain(`SUCCESS: ${rules().length} rules found`);
    expect(checked.status).toBe(0);
  });

  it("passes its unit tests, `promtool test rules`", () => {
    const tested = run("promtool", ["test", "rules", RULE_TESTS]);
    expect(tested.stdout + tested.stderr).toContain("SUCCESS");
    expect(tested.status).toBe(0);
  });

  it("has, for every alert, a unit test where it fires and one where it does not", () => {
    const cases = ruleTests().flatMap((t) => t.alert_rule_test ?? []);
    for (const rule of rules()) {
      const mine = cases.filter((c) => c.alertname === rule.alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${rule.alert} fires`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${rule.alert} stays quiet`,
      ).toBe(true);
    }
  });

  it("gives every alert a severity, a summary, a description and a runbook section that exists", () => {
    const runbook = read("deploy/prometheus/README.md");
    for (const rule of rules()) {
      expect(["warning", "critical"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
      expect(rule.annotations?.runbook, rule.alert).toBe(`deploy/prometheus/README.md#${rule.alert.toLowerCase()}`);
      expect(runbook, rule.alert).toContain(`\n### ${rule.alert}\n`);
    }
  });

  it("is printed as a PrometheusRule with the same groups by prometheus-rule.sh", () => {
    const printed = run("bash", ["deploy/prometheus/prometheus-rule.sh", "release=prometheus"]);
    expect(printed.stderr).toBe("");
    expect(printed.status).toBe(0);
    const resource = parse(printed.stdout);
    expect(resource).toMatchObject({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "hookyard", labels: { release: "prometheus" } },
    });
    expect(resource.spec).toEqual(parse(read(RULES)));
    const refused = run("bash", ["deploy/prometheus/prometheus-rule.sh", "release prometheus"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("a label is NAME=VALUE");
  });
});

describe("deploy/grafana/hookyard-dashboard.json", () => {
  it("asks for a Prometheus data source and queries it in every panel", () => {
    const board = dashboard();
    expect(board.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(board.templating.list).toContainEqual(
      expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }),
    );
    const queried = panels(board.panels).filter((p) => p.targets);
    expect(queried.length).toBeGreaterThanOrEqual(10);
    for (const panel of queried) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template
      expect(panel.datasource, panel.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });
});

describe("against a running API and worker", () => {
  let hookyard: TestHookyard | undefined;
  let prometheus: PrometheusServer | undefined;
  /** Sample names each family serves: a histogram's `_bucket`, `_sum` and `_count`, a summary's too. */
  const served = new Set<string>();

  beforeAll(async () => {
    const workerPort = await freePort();
    hookyard = await TestHookyard.start({ env: { HOOKYARD_WORKER_METRICS_PORT: String(workerPort) } });
    // An event, then the same again: the ingest counters have no series before their first event.
    const event = { type: "REPO_CREATED", namespace: "acme", repository: "acme/web", id: "repo-acme-web-1" };
    for (const expected of [
      { accepted: 1, duplicates: 0 },
      { accepted: 0, duplicates: 1 },
    ]) {
      const res = await hookyard.request("POST", "/api/v1/events", { body: event, token: INGEST_TOKEN });
      expect(res.json).toMatchObject(expected);
    }
    const targets = { api: new URL(hookyard.baseUrl).host, worker: `127.0.0.1:${workerPort}` };
    for (const target of Object.values(targets)) {
      const res = await fetch(`http://${target}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status, target).toBe(200);
      for (const family of parsePrometheus(await res.text())) {
        served.add(family.name);
        if (family.type === "HISTOGRAM") served.add(`${family.name}_bucket`);
        if (family.type === "HISTOGRAM" || family.type === "SUMMARY") {
          served.add(`${family.name}_sum`).add(`${family.name}_count`);
        }
      }
    }
    // The scrape jobs deploy/prometheus/README.md describes, with the admin token from a file.
    const job = (name: string, target: string) =>
      `  - job_name: ${name}\n    authorization: { credentials_file: "{dir}/token" }\n    static_configs: [{ targets: ["${target}"] }]\n`;
    prometheus = await startPrometheus(
      "global: { scrape_interval: 1s, evaluation_interval: 1s }\n" +
        `rule_files: ["${root}${RULES}"]\n` +
        "scrape_configs:\n" +
        job("hookyard-api", targets.api) +
        job("hookyard-worker", targets.worker),
      { token: ADMIN_TOKEN },
    );
  }, 90_000);
  afterAll(async () => {
    await prometheus?.close();
    await hookyard?.close();
  });

  /** Series Prometheus makes itself for every scrape target. */
  const SCRAPE_SERIES = ["up"];
  const unknown = (names: string[]) => names.filter((n) => !served.has(n) && !SCRAPE_SERIES.includes(n));

  it("serves both processes' metrics on /metrics (what the name checks compare with)", () => {
    expect(served).toContain("hookyard_queue_jobs");
    expect(served).toContain("hookyard_delivery_attempt_duration_seconds_bucket");
    expect(served).toContain("hookyard_api_process_resident_memory_bytes");
    expect(served).toContain("hookyard_worker_process_resident_memory_bytes");
  });

  it("serves every metric the alerting rules name", () => {
    const used = rules().flatMap((r) => metricNames(r.expr));
    expect(used).toContain("hookyard_deliveries_total");
    expect(unknown(used)).toEqual([]);
  });

  it("serves every metric the rules' unit tests feed them", () => {
    const used = ruleTests().flatMap((t) => t.input_series.flatMap((s) => metricNames(s.series)));
    expect(used).toContain("hookyard_attempts_in_flight");
    expect(unknown(used)).toEqual([]);
  });

  it("serves every metric the dashboard queries", () => {
    const used = panels(dashboard().panels).flatMap((p) => (p.targets ?? []).flatMap((t) => metricNames(t.expr)));
    expect(used).toContain("hookyard_events_ingested_total");
    expect(unknown(used)).toEqual([]);
  });

  it("lets a real Prometheus scrape both, load every rule and evaluate it without error; none fires", async () => {
    const server = prometheus as PrometheusServer;
    // Both targets scraped, as Prometheus's targets page would show them.
    const health = async () =>
      (await server.api<{ activeTargets: any[] }>("targets")).activeTargets
        .map((t) => `${t.labels.job} ${t.health} ${t.lastError}`)
        .sort();
    await waitFor(
      async () => {
        const targets = await health();
        return targets.length === 2 && targets.every((t) => t.includes(" up "));
      },
      { what: "both scrape targets up", timeoutMs: 20_000 },
    ).catch(async (error) => {
      throw new Error(`${(error as Error).message}: ${(await health()).join("; ")}`);
    });
    const loaded = await waitFor(
      async () => {
        const data = await server.api<{ groups: Array<{ rules: any[] }> }>("rules");
        const all = data.groups.flatMap((g) => g.rules);
        return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith("0001-")) ? all : undefined;
      },
      { what: "every rule evaluated once", timeoutMs: 20_000 },
    );
    expect(loaded.map((r) => r.name).sort()).toEqual(
      rules()
        .map((r) => r.alert)
        .sort(),
    );
    for (const rule of loaded)
      expect({ rule: rule.name, health: rule.health, error: rule.lastError }).toEqual({
        rule: rule.name,
        health: "ok",
        error: undefined,
      });
    // Evaluations made before the first scrape saw no `up`: the absent() alerts were pending then.
    const quiet = await waitFor(
      async () => ((await server.api<{ alerts: unknown[] }>("alerts")).alerts.length === 0 ? true : undefined),
      { what: "no alert pending or firing", timeoutMs: 10_000 },
    ).catch(async () => server.api("alerts"));
    expect(quiet).toBe(true);
  });

  it("answers every dashboard query with series, as Grafana would ask it", async () => {
    const server = prometheus as PrometheusServer;
    const queries = panels(dashboard().panels).flatMap((p) =>
      (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr.replaceAll("$__rate_interval", "10s") })),
    );
    // rate() needs two samples in its range: wait for a few scrapes.
    await waitFor(
      async () =>
        (await server.api<{ result: unknown[] }>("query", { query: "count_over_time(up[10s]) >= 3" })).result.length ===
        2,
      { what: "three scrapes of each target", timeoutMs: 20_000 },
    );
    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      const result = await server.api<{ result: unknown[] }>("query", { query: expr });
      if (result.result.length === 0) empty.push(`${panel}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });
});
