import { readFileSync } from "node:fs";
import ts from "typescript";

/**
 * What the code reads from the environment and what it registers with Prometheus, found by reading
 * the sources with the TypeScript parser (string literals and calls, not comments or prose), for
 * tests/docs.test.ts.
 */

export interface Found {
  file: string;
  line: number;
}

function parse(root: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(`${root}/${file}`, "utf8"), ts.ScriptTarget.Latest, true);
}

function lineOf(source: ts.SourceFile, node: ts.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

function walk(node: ts.Node): ts.Node[] {
  const all: ts.Node[] = [node];
  ts.forEachChild(node, (child) => {
    all.push(...walk(child));
  });
  return all;
}

/** HOOKYARD_ and a name, not a prefix such as `HOOKYARD_API_` or `HOOKYARD_AUTO_DISABLE_`. */
const SETTING = /^HOOKYARD_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

function literalText(node: ts.Node): string | null {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : null;
}

/**
 * In the config package every string that is a whole setting name (`read(env, "HOOKYARD_X")`,
 * `const name = "HOOKYARD_X"`, a key of a table of settings) is one it reads: the package exists to
 * read the environment, and it names no setting it does not read.
 */
export function settingsNamedIn(root: string, file: string): Map<string, Found> {
  const source = parse(root, file);
  const found = new Map<string, Found>();
  for (const node of walk(source)) {
    const text =
      literalText(node) ??
      (ts.isIdentifier(node) && ts.isPropertyAssignment(node.parent) && node.parent.name === node ? node.text : null);
    if (text && SETTING.test(text) && !found.has(text)) found.set(text, { file, line: lineOf(source, node) });
  }
  return found;
}

/** Elsewhere, only what is read from the process's environment: `process.env.HOOKYARD_X` or `process.env["HOOKYARD_X"]`. */
export function settingsReadIn(root: string, file: string): Map<string, Found> {
  const source = parse(root, file);
  const found = new Map<string, Found>();
  const isProcessEnv = (node: ts.Node) =>
    ts.isPropertyAccessExpression(node) &&
    node.name.text === "env" &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === "process";
  for (const node of walk(source)) {
    let name: string | null = null;
    if (ts.isPropertyAccessExpression(node) && isProcessEnv(node.expression)) name = node.name.text;
    if (ts.isElementAccessExpression(node) && isProcessEnv(node.expression)) {
      name = literalText(node.argumentExpression);
    }
    if (name && SETTING.test(name) && !found.has(name)) found.set(name, { file, line: lineOf(source, node) });
  }
  return found;
}

export type MetricType = "counter" | "gauge" | "histogram" | "summary";

export interface RegisteredMetric extends Found {
  name: string;
  type: MetricType;
  labels: string[];
}

export interface MetricsFound {
  metrics: RegisteredMetric[];
  /** collectDefaultMetrics's `prefix`: prom-client's process metrics, each name starting with it. */
  defaultPrefixes: Array<Found & { prefix: string }>;
  /** Metrics whose name or labels are not written as literals, so that no test can read them. */
  unreadable: Array<Found & { reason: string }>;
}

const METRIC_CLASSES: Record<string, MetricType> = {
  Counter: "counter",
  Gauge: "gauge",
  Histogram: "histogram",
  Summary: "summary",
};

/** The object literal's property `name`, if it has one written as `name: ...`. */
function property(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name) return p.initializer;
  }
  return undefined;
}

/**
 * The metrics a file makes with prom-client: every `new Counter|Gauge|Histogram|Summary({...})` of
 * the classes it imports from "prom-client" (under whatever local name), and every
 * `collectDefaultMetrics({ prefix })`.
 */
export function metricsIn(root: string, file: string): MetricsFound {
  const source = parse(root, file);
  const found: MetricsFound = { metrics: [], defaultPrefixes: [], unreadable: [] };
  const classes = new Map<string, MetricType>();
  const defaults = new Set<string>();
  /** `import * as prom` or `import prom`: `new prom.Counter(...)`. */
  const modules = new Set<string>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || literalText(statement.moduleSpecifier) !== "prom-client") continue;
    const clause = statement.importClause;
    if (clause?.name) modules.add(clause.name.text);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) modules.add(bindings.name.text);
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      const type = METRIC_CLASSES[imported];
      if (type) classes.set(element.name.text, type);
      if (imported === "collectDefaultMetrics") defaults.add(element.name.text);
    }
  }
  /** The metric type `new <expression>(...)` makes, if it is one of prom-client's. */
  const typeMade = (expression: ts.Expression): MetricType | undefined => {
    if (ts.isIdentifier(expression)) return classes.get(expression.text);
    if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
      return modules.has(expression.expression.text) ? METRIC_CLASSES[expression.name.text] : undefined;
    }
    return undefined;
  };
  for (const node of walk(source)) {
    const at = () => ({ file, line: lineOf(source, node) });
    const type = ts.isNewExpression(node) ? typeMade(node.expression) : undefined;
    if (ts.isNewExpression(node) && type) {
      const options = node.arguments?.[0];
      if (!options || !ts.isObjectLiteralExpression(options)) {
        found.unreadable.push({ ...at(), reason: `a ${type} made without an object literal of options` });
        continue;
      }
      const nameNode = property(options, "name");
      const name = nameNode && literalText(nameNode);
      if (!name) {
        found.unreadable.push({ ...at(), reason: "a metric whose name is not a string literal" });
        continue;
      }
      const labelsNode = property(options, "labelNames");
      let labels: string[] = [];
      if (labelsNode) {
        const texts = ts.isArrayLiteralExpression(labelsNode) ? labelsNode.elements.map(literalText) : [null];
        if (texts.some((t) => t === null)) {
          found.unreadable.push({ ...at(), reason: `${name}: labelNames is not an array of string literals` });
          continue;
        }
        labels = texts as string[];
      }
      found.metrics.push({ ...at(), name, type, labels });
    }
    const callee = ts.isCallExpression(node) ? node.expression : undefined;
    const collectsDefaults =
      callee !== undefined &&
      ((ts.isIdentifier(callee) && defaults.has(callee.text)) ||
        (ts.isPropertyAccessExpression(callee) &&
          ts.isIdentifier(callee.expression) &&
          modules.has(callee.expression.text) &&
          callee.name.text === "collectDefaultMetrics"));
    if (ts.isCallExpression(node) && collectsDefaults) {
      const options = node.arguments[0];
      const prefixNode = options && ts.isObjectLiteralExpression(options) ? property(options, "prefix") : undefined;
      const prefix = prefixNode && literalText(prefixNode);
      if (prefix) found.defaultPrefixes.push({ ...at(), prefix });
      else found.unreadable.push({ ...at(), reason: "collectDefaultMetrics without a literal prefix" });
    }
  }
  return found;
}
