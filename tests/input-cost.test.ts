import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  customHeadersProblem,
  expandEventPatterns,
  findUnstorable,
  isCallbackTokenShape,
  isLoopbackName,
  isValidNamespace,
  isValidRepositoryName,
  isValidWebhookSecret,
  maskSecretPath,
  mediaTypeProblem,
  parseDuration,
  parseRetryAfter,
  parseTemplate,
  presentedToken,
  tagFilterProblem,
  tlsCertProblem,
  tooDeepJson,
} from "@hookyard/core";
import { newId } from "@hookyard/db";
import { freePort, makeCertificate, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isIdOf } from "../apps/api/src/http/path-id.js";
import { parseInput } from "../apps/api/src/http/validate.js";
import { INGEST_ROUTES } from "../apps/api/src/routes/ingest.js";
import { callbackBody } from "../apps/api/src/services/callbacks.js";
import { createChainBody } from "../apps/api/src/services/chains.js";
import { dtrWebhookBody } from "../apps/api/src/services/dtr-v0.js";
import { recoverBody } from "../apps/api/src/services/redelivery.js";
import { createGrantBody, createUserBody } from "../apps/api/src/services/users.js";
import { createWebhookBody, updateWebhookBody } from "../apps/api/src/services/webhooks.js";
import { ADMIN_TOKEN, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/*
 * Input cost is linear (README, "What ingest refuses"): no request holds the event loop more than a few
 * milliseconds per KiB it sends. Every source parser and every validator of request data is fed
 * adversarial input up to 1 MiB in each of its fields: long runs of one character or separator,
 * near-misses of what its checks expect, repeated prefixes, many items, deep nesting. A quadratic
 * parser takes minutes on 1 MiB and a linear one milliseconds, so a generous bound per KiB tells
 * them apart on a busy machine too. The pure functions are called directly (fast); the worst inputs
 * also go through the API, running in a process of its own, while /healthz is asked meanwhile.
 * tests/regexes.test.ts checks every RegExp of the sources for linear time on its own.
 */
const MS_PER_KIB = 2;

/** What an input of `bytes` may cost; the floor absorbs a GC pause or a busy core. */
function allowedMs(bytes: number): number {
  return Math.max(50, (MS_PER_KIB * bytes) / 1024);
}

const KIB = 1024;
const SWEEP_BYTES = 16 * KIB;
const FULL_BYTES = 1024 * KIB;

/** What runs of adversarial text are made of: separators, near-misses of what the checks expect. */
const UNITS = [
  " ",
  "\t",
  "/",
  ":",
  "@",
  ".",
  "-",
  "_",
  "*",
  ",",
  "[",
  "'",
  "\\",
  "a",
  "0",
  "a.",
  "a-",
  "a__",
  "0:",
  "[1 ",
  "-----BEGIN CERTIFICATE-----",
  "%2F",
];
const FULL_UNITS = [" ", "a."];

const runs = new Map<string, string>();
/** `unit` repeated to `bytes` characters. */
function run(unit: string, bytes: number): string {
  const key = `${unit}\u0000${bytes}`;
  let text = runs.get(key);
  if (text === undefined) {
    text = unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
    runs.set(key, text);
  }
  return text;
}

type Path = Array<string | number>;

/** Where a sample holds strings, objects and arrays. */
function places(
  value: unknown,
  path: Path = [],
  out = { strings: [] as Path[], objects: [] as Path[], arrays: [] as Path[] },
) {
  if (typeof value === "string") out.strings.push(path);
  else if (Array.isArray(value)) {
    out.arrays.push(path);
    for (const [i, item] of value.entries()) places(item, [...path, i], out);
  } else if (value !== null && typeof value === "object") {
    out.objects.push(path);
    for (const [key, item] of Object.entries(value)) places(item, [...path, key], out);
  }
  return out;
}

function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown>)[key], value);
}

/** A copy of `value` with `change` applied at `path`; only the containers on the path are copied. */
function changed(value: unknown, path: Path, change: (old: unknown) => unknown): unknown {
  if (path.length === 0) return change(value);
  const [key, ...rest] = path as [string | number, ...Path];
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[key] = changed(copy[key], rest, change);
  return copy;
}

interface Attack {
  what: string;
  input: unknown;
  bytes: number;
}

/**
 * Each string replaced by a run of each unit, with a character at its end that fails every check,
 * without it and after the string's own value (`thorough`), or with it only; each object given a key
 * of that size, each array filled with copies of its first item.
 */
function* attacks(sample: unknown, bytes: number, units: readonly string[], thorough: boolean): Generator<Attack> {
  const { strings, objects, arrays } = places(sample);
  for (const path of strings) {
    const original = at(sample, path) as string;
    for (const unit of units) {
      const text = run(unit, bytes);
      const name = `${JSON.stringify(path)} = ${JSON.stringify(unit)} x ${bytes / KIB} KiB`;
      yield { what: `${name} + "!"`, input: changed(sample, path, () => `${text}!`), bytes };
      if (!thorough) continue;
      yield { what: name, input: changed(sample, path, () => text), bytes };
      yield {
        what: `${JSON.stringify(original)} + ${name} + "!"`,
        input: changed(sample, path, () => `${original}${text}!`),
        bytes,
      };
    }
  }
  for (const path of objects) {
    const key = run("a", bytes);
    yield {
      what: `${JSON.stringify(path)} with a key of ${bytes / KIB} KiB`,
      input: changed(sample, path, (o) => ({ ...(o as object), [key]: "x" })),
      bytes,
    };
  }
  for (const path of arrays) {
    const first = (at(sample, path) as unknown[])[0];
    if (first === undefined) continue;
    const count = Math.ceil(bytes / Math.max(2, JSON.stringify(first).length));
    yield {
      what: `${JSON.stringify(path)} with ${count} items`,
      input: changed(sample, path, () => Array(count).fill(first)),
      bytes,
    };
  }
}

/** How long `use(input)` takes, the least of up to three tries when one is over the bound: a busy
 * core or a GC pause slows one try, a quadratic parser every try. */
function costOf(use: (input: any) => unknown, input: unknown, bytes: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (let tries = 0; tries < 3 && least > allowedMs(bytes); tries++) {
    const started = performance.now();
    try {
      use(input);
    } catch {
      // A refusal is an answer too: its cost is what counts.
    }
    least = Math.min(least, performance.now() - started);
  }
  return least;
}

/** The attacks on `sample` that cost more than their bound: every unit at SWEEP_BYTES, which shows
 * a quadratic cost already, then a few at FULL_BYTES. Stops at the fifth found. */
function overBound(use: (input: any) => unknown, sample: unknown): string[] {
  const found: string[] = [];
  const sweeps = [attacks(sample, SWEEP_BYTES, UNITS, true), attacks(sample, FULL_BYTES, FULL_UNITS, false)];
  for (const sweep of sweeps) {
    for (const attack of sweep) {
      const ms = costOf(use, attack.input, attack.bytes);
      if (ms > allowedMs(attack.bytes)) found.push(`${attack.what}: ${Math.round(ms)} ms`);
      if (found.length >= 5) break;
    }
    // What costs too much at the smaller size would take minutes at the larger.
    if (found.length > 0) break;
  }
  return found;
}

const FIXTURES = new URL("../packages/core/src/sources/__fixtures__/", import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8"));

/** What the ingest handler does with a parsed body: findUnstorable, then the route's parser. */
function ingestAs(path: string) {
  const route = INGEST_ROUTES.find((r) => r.path === path);
  if (!route) throw new Error(`no ingest route ${path}`);
  return (input: { body: unknown; headers: Record<string, string>; query?: string }) =>
    findUnstorable(input.body) ??
    route.parse(input.body, input.headers["content-type"] ?? "", input.headers, new URLSearchParams(input.query ?? ""));
}

const DIGEST = "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4";

/** A Harbor REPLICATION event (default format) whose one artifact's name_tag is `nameTag`. */
function harborReplication(nameTag = "web [1 item(s) in total]") {
  return {
    type: "REPLICATION",
    occur_at: 1_795_428_000,
    operator: "MANUAL",
    event_data: {
      replication: {
        harbor_hostname: "harbor.example.com",
        job_status: "Success",
        description: "mirror hub",
        trigger_type: "MANUAL",
        policy_creator: "admin",
        src_resource: {
          registry_name: "hub",
          registry_type: "docker-hub",
          endpoint: "https://hub.docker.com",
          namespace: "library",
        },
        dest_resource: { registry_type: "harbor", endpoint: "https://harbor.example.com:8443", namespace: "acme" },
        successful_artifact: [{ type: "image", status: "Success", name_tag: nameTag, references: ["1.0", DIGEST] }],
      },
    },
  };
}

const harborPush = {
  type: "PUSH_ARTIFACT",
  occur_at: 1_795_428_000,
  operator: "alice",
  event_data: {
    resources: [{ digest: DIGEST, tag: "1.0", resource_url: "harbor.example.com/acme/web:1.0" }],
    repository: { name: "web", namespace: "acme", repo_full_name: "acme/web", repo_type: "private" },
  },
};

const harborScanCloudEvent = {
  specversion: "1.0",
  id: "4b2f89a6-548d-4c12-9993-a1f5790b97d2",
  source: "/projects/1/webhook/policies/3",
  type: "harbor.scan.completed",
  datacontenttype: "application/json",
  time: "2026-11-23T10:00:00Z",
  operator: "alice",
  data: {
    resources: [
      {
        digest: DIGEST,
        tag: "1.0",
        resource_url: "harbor.example.com/acme/web:1.0",
        scan_overview: {
          "application/vnd.security.vulnerability.report; version=1.1": {
            scan_status: "Success",
            end_time: "2026-11-23T10:00:00Z",
            summary: { total: 3, summary: { Critical: 1, High: 1, Low: 1 } },
          },
        },
      },
    ],
    repository: { name: "web", namespace: "acme", repo_full_name: "acme/web", repo_type: "private" },
  },
};

const nativeEvents = {
  events: [
    {
      type: "SCAN_COMPLETED",
      repository: "acme/web",
      namespace: "acme",
      tag: "1.0",
      digest: DIGEST,
      id: "scan-1",
      occurredAt: "2026-11-23T10:00:00Z",
      contents: { scanSummary: { critical: 1, major: 2, minor: 3 } },
    },
    { type: "TAG_PUSH", repository: "acme/web", tag: "1.1", contents: { author: "alice" } },
  ],
};

const JSON_HEADERS = { "content-type": "application/json" };
const CE_HEADERS = { "content-type": "application/cloudevents+json" };

/** Each source as its ingest route serves it: the body, and what else of the request it reads. */
const SOURCES: Array<{ name: string; path: string; sample: unknown }> = [
  {
    name: "distribution (v3 push)",
    path: "/api/v1/ingest/distribution",
    sample: { body: fixture("distribution-v3/v3.1-manifest-push-tag.json"), headers: JSON_HEADERS },
  },
  {
    name: "distribution (GitLab rename)",
    path: "/api/v1/ingest/distribution",
    sample: { body: fixture("gitlab/repository-rename-name.json"), headers: JSON_HEADERS },
  },
  {
    name: "distribution (GitLab push)",
    path: "/api/v1/ingest/distribution",
    sample: { body: fixture("gitlab/manifest-push-tag.json"), headers: JSON_HEADERS },
  },
  {
    name: "harbor (replication)",
    path: "/api/v1/ingest/harbor",
    sample: { body: harborReplication(), headers: JSON_HEADERS },
  },
  { name: "harbor (push)", path: "/api/v1/ingest/harbor", sample: { body: harborPush, headers: JSON_HEADERS } },
  {
    name: "harbor (CloudEvents scan)",
    path: "/api/v1/ingest/harbor",
    sample: { body: harborScanCloudEvent, headers: CE_HEADERS },
  },
  { name: "native events", path: "/api/v1/events", sample: { body: nativeEvents, headers: JSON_HEADERS } },
  {
    name: "quay (push)",
    path: "/api/v1/ingest/quay",
    sample: { body: fixture("quay/repo_push.v2.json"), headers: JSON_HEADERS, query: "event=repo_push" },
  },
  {
    name: "quay (vulnerability)",
    path: "/api/v1/ingest/quay",
    sample: { body: fixture("quay/vulnerability_found.new-index.json"), headers: JSON_HEADERS },
  },
  {
    name: "quay (mirror)",
    path: "/api/v1/ingest/quay",
    sample: {
      body: fixture("quay/repo_mirror_sync_success.json"),
      headers: JSON_HEADERS,
      query: "event=repo_mirror_sync_success",
    },
  },
  ...["binary-image-scanned.json", "binary-repository-created.json", "structured-image-updated-tag.json"].map(
    (file) => {
      const { headers, body } = fixture(`zot/${file}`);
      // Node hands the handler lower-case header names.
      const lower = Object.fromEntries(
        Object.entries(headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
      );
      return { name: `zot (${file})`, path: "/api/v1/ingest/zot", sample: { body, headers: lower } };
    },
  ),
];

describe("source parsers, called as the ingest handler calls them", () => {
  it.each(SOURCES)("$name: every field attacked costs at most 2 ms per KiB", ({ path, sample }) => {
    const ingest = ingestAs(path);
    const result = ingest(sample as never) as { ok?: boolean; message?: string } | null;
    expect(result?.ok, result?.message).toBe(true);
    expect(overBound(ingest, sample)).toEqual([]);
  });
});

describe("validators of request data, called as the services call them", () => {
  let pem: string;
  beforeAll(async () => {
    ({ cert: pem } = await makeCertificate());
  });

  /** parseInput (findUnstorable, then the schema), then the service's own checks of the same body. */
  function webhookChecks(schema: typeof createWebhookBody | typeof updateWebhookBody) {
    return (body: any) => {
      try {
        parseInput(schema, body);
      } catch {}
      if (body.headers && typeof body.headers === "object") customHeadersProblem(body.headers);
      if (typeof body.repository === "string") isValidRepositoryName(body.repository);
      if (typeof body.namespace === "string") isValidNamespace(body.namespace);
      if (Array.isArray(body.events)) expandEventPatterns(body.events, { kind: "global" });
      if (Array.isArray(body.events) && Array.isArray(body.filter?.tags)) tagFilterProblem([], body.filter.tags);
      if (typeof body.tlsCert === "string") tlsCertProblem(body.tlsCert);
      if (typeof body.secret === "string") isValidWebhookSecret(body.secret);
      if (typeof body.templateContentType === "string") mediaTypeProblem(body.templateContentType);
      // Parsing is bounded by the input; rendering the samples at creation by
      // HOOKYARD_TEMPLATE_RENDER_TIMEOUT (decision 0020), not by this sweep.
      if (typeof body.template === "string") {
        try {
          parseTemplate(body.template);
        } catch {}
      }
    };
  }

  const webhook = () => ({
    name: "web releases",
    url: "https://hooks.example.com/registry?team=web",
    events: ["TAG_PUSH", "MANIFEST_*"],
    repository: "acme/web",
    format: "dtr",
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    headers: { "X-Team": "web", Authorization: "Bearer abc" },
    filter: { tags: ["1.*", "latest"] },
    enabled: true,
    tlsCert: pem,
    skipTLSVerification: false,
  });

  it("webhook create and PATCH bodies", () => {
    expect(overBound(webhookChecks(createWebhookBody), webhook())).toEqual([]);
    const template = {
      ...webhook(),
      format: "template",
      template: '{"text": "{{ event.repository }}:{{ event.tag }}", "tag": {{ event.tag | json }}}',
      templateContentType: "application/json; charset=utf-8",
    };
    expect(overBound(webhookChecks(createWebhookBody), template)).toEqual([]);
    const { repository: _, ...patch } = webhook();
    expect(overBound(webhookChecks(updateWebhookBody), { ...patch, namespace: "acme" })).toEqual([]);
  });

  it("tlsCert alone: a PEM bundle of BEGIN lines without their END", () => {
    // tlsCert stops at 64 KiB; this is the largest it reads, of every shape that used to cost most.
    for (const unit of ["-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----"]) {
      const text = run(unit, 65_000);
      expect(costOf(tlsCertProblem, text, text.length), unit).toBeLessThan(allowedMs(text.length));
    }
  });

  it("DTR v0 bodies, users, grants, chains, redelivery", () => {
    const v0 = {
      type: "TAG_PUSH",
      key: "acme/web",
      endpoint: "https://hooks.example.com/dtr",
      tlsCert: pem,
      skipTLSVerification: true,
    };
    const checks = {
      v0: [dtrWebhookBody, v0],
      user: [createUserBody, { name: "alice.smith", admin: false }],
      grant: [createGrantBody, { repository: "acme/web", namespace: "acme", role: "admin" }],
      chain: [
        createChainBody,
        { name: "release", events: ["TAG_PUSH"], webhooks: [newId("webhook")], repository: "acme/web" },
      ],
      recover: [recoverBody, { since: "2026-11-29T08:00:00Z", until: "2026-11-29T09:00:00.123+01:00" }],
    } as const;
    for (const [name, [schema, sample]] of Object.entries(checks)) {
      const use = (body: any) => {
        try {
          parseInput(schema as never, body);
        } catch {}
        for (const field of ["repository", "key"])
          if (typeof body[field] === "string") isValidRepositoryName(body[field]);
        if (typeof body.namespace === "string") isValidNamespace(body.namespace);
      };
      expect(overBound(use, sample), name).toEqual([]);
    }
  });

  it("callback bodies and tokens", () => {
    const token = "fCSSsHGbvEHyRmWh8D7f1eXqv0QpYdW3Zq8uLqnqz7E";
    const sample = {
      body: {
        state: "success",
        description: "tests passed",
        context: "ci",
        target_url: "https://ci.example.com/run/1",
      },
      token,
    };
    const use = ({ body, token: t }: any) => {
      try {
        parseInput(callbackBody, body);
      } catch {}
      isCallbackTokenShape(t);
      maskSecretPath(`/api/v1/callbacks/${t}`);
    };
    expect(overBound(use, sample)).toEqual([]);
  });

  it("what else a request carries: ids and cursors, durations, secrets, tokens, paths, receivers' Retry-After", () => {
    const now = new Date();
    const sample = {
      id: newId("webhook"),
      cursor: newId("delivery"),
      grace: "24h",
      secret: "an-old-shared-password-0123456789",
      authorization: "Bearer hy_ZkXyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvWxYz012",
      basic: `Basic ${Buffer.from("dtr:hy_token").toString("base64")}`,
      path: "/api/v1/ingest/quay/some-token/extra",
      host: "hooks.localhost.",
      retryAfter: "120",
      retryAt: "Wed, 21 Oct 2026 07:28:00 GMT",
    };
    const use = (input: typeof sample) => {
      isIdOf("webhook", input.id);
      isIdOf("delivery", input.cursor);
      parseDuration(input.grace);
      isValidWebhookSecret(input.secret);
      presentedToken(input.authorization);
      presentedToken(input.basic);
      maskSecretPath(input.path);
      isLoopbackName(input.host);
      parseRetryAfter(input.retryAfter, now);
      parseRetryAfter(input.retryAt, now);
    };
    expect(overBound(use, sample)).toEqual([]);
  });

  it("JSON nested as deep as 1 MiB goes: the depth is read before the body is parsed", () => {
    for (const text of [
      "[".repeat(FULL_BYTES),
      '{"a":'.repeat(FULL_BYTES / 5),
      `[${'"\\"[",'.repeat(FULL_BYTES / 6)}`,
    ]) {
      const bytes = Buffer.from(text);
      expect(costOf(tooDeepJson, bytes, bytes.length), text.slice(0, 10)).toBeLessThan(allowedMs(bytes.length));
    }
  });
});

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const API_SOURCE = fileURLToPath(new URL("../apps/api/src/main.ts", import.meta.url));

/** What a request through the API may take besides its per-KiB cost: authentication, Postgres,
 * Redis, and the loopback trip, on a machine busy with other tests. */
const REQUEST_OVERHEAD_MS = 500;

/**
 * The API in a process of its own, from this checkout's sources (tsx, and the "@hookyard/source"
 * export condition every workspace package declares, so no build is needed). A request that held its
 * event loop cannot hold this test's, which keeps the time and asks /healthz meanwhile.
 */
class ApiProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(env: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions", "@hookyard/source", API_SOURCE], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const api = new ApiProcess(`http://127.0.0.1:${port}`, child);
    try {
      await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`the API process exited (${child.exitCode})`);
          return fetch(`${api.url}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
        },
        { timeoutMs: 90_000, what: "the API process's /healthz" },
      );
    } catch (error) {
      api.close();
      throw error;
    }
    return api;
  }

  /**
   * Sends one request and asks /healthz, one ask after another, until it is answered. A request
   * still unanswered well past its bound is given up (a stalled API would answer it minutes later).
   */
  async timed(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string>; bytes: number },
  ): Promise<{ status: number; json: any; ms: number; healthMs: number[] }> {
    const started = performance.now();
    let done = false;
    const answer = fetch(`${this.url}${path}`, {
      method,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(Math.ceil(allowedMs(init.bytes)) + 4 * REQUEST_OVERHEAD_MS),
    })
      .then(async (res) => ({ status: res.status, text: await res.text(), ms: performance.now() - started }))
      .catch((error: Error) => ({ status: 0, text: error.message, ms: Number.POSITIVE_INFINITY }))
      .finally(() => {
        done = true;
      });
    const healthMs: number[] = [];
    const health = (async () => {
      do {
        const asked = performance.now();
        const ok = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(4 * REQUEST_OVERHEAD_MS) }).then(
          (r) => r.ok,
          () => false,
        );
        healthMs.push(ok ? performance.now() - asked : Number.POSITIVE_INFINITY);
      } while (!done);
    })();
    const [res] = await Promise.all([answer, health]);
    let json: unknown = null;
    try {
      json = JSON.parse(res.text);
    } catch {}
    return { status: res.status, json, ms: res.ms, healthMs };
  }

  close(): void {
    this.child.kill("SIGKILL");
  }
}

describe("through the API, in a process of its own", () => {
  let hookyard: TestHookyard;
  let api: ApiProcess;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
    api = await ApiProcess.start(hookyard.env);
  }, 120_000);
  afterAll(async () => {
    api?.close();
    await hookyard?.close();
  });

  /** Answered within the bound for its size, and so is every /healthz asked meanwhile: no request
   * holds the API's event loop longer than its size allows. */
  async function expectPrompt(
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string>; token?: string },
  ) {
    const bytes =
      (init.body?.length ?? 0) + Object.values(init.headers ?? {}).reduce((n, v) => n + v.length, path.length);
    const res = await api.timed(method, path, {
      ...init,
      bytes,
      headers: { authorization: `Bearer ${init.token ?? INGEST_TOKEN}`, ...init.headers },
    });
    const limit = allowedMs(bytes) + REQUEST_OVERHEAD_MS;
    expect(res.ms, `${method} ${path.slice(0, 60)}: answered in ${Math.round(res.ms)} ms (${res.status})`).toBeLessThan(
      limit,
    );
    expect(Math.max(...res.healthMs), `/healthz took ${res.healthMs.map(Math.round).join(", ")} ms`).toBeLessThan(
      limit,
    );
    return res;
  }

  const json = { "content-type": "application/json" };

  it("answers a Harbor name_tag of 900 KB of spaces within 2 ms per KiB, and /healthz meanwhile", async () => {
    const body = JSON.stringify(harborReplication(" ".repeat(900_000)));
    const res = await expectPrompt("POST", "/api/v1/ingest/harbor", { body, headers: json });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/^event_data\.replication\.successful_artifact\[0\]\.name_tag: /);
  });

  it("answers 1 MiB bodies of the costliest shapes promptly: deep nesting, long names, many events", async () => {
    const deep = await expectPrompt("POST", "/api/v1/ingest/distribution", {
      body: "[".repeat(FULL_BYTES - 1),
      headers: json,
    });
    expect([deep.status, deep.json.error.message]).toEqual([
      400,
      `${"[0]".repeat(32)}: is nested deeper than 32 levels`,
    ]);

    const envelope = fixture("distribution-v3/v3.1-manifest-push-tag.json");
    const longName = JSON.stringify(
      changed(envelope, ["events", 0, "target", "repository"], () => run("a/", 1_000_000)),
    );
    expect((await expectPrompt("POST", "/api/v1/ingest/distribution", { body: longName, headers: json })).status).toBe(
      400,
    );

    const nearMiss = JSON.stringify({ ...nativeEvents.events[0], digest: `0:${run("-", 1_000_000)}!` });
    expect((await expectPrompt("POST", "/api/v1/events", { body: nearMiss, headers: json })).status).toBe(400);

    const many = JSON.stringify({
      ...fixture("quay/vulnerability_found.new-index.json"),
      tags: Array(150_000).fill("1.0"),
    });
    const tags = await expectPrompt("POST", "/api/v1/ingest/quay", { body: many, headers: json });
    expect([tags.status, tags.json.error.message]).toEqual([400, expect.stringMatching(/^tags: /)]);

    const quay = JSON.stringify({
      ...fixture("quay/repo_mirror_sync_success.json"),
      message: `'${run("'", 1_000_000)}`,
    });
    const mirror = await expectPrompt("POST", "/api/v1/ingest/quay?event=repo_mirror_sync_success", {
      body: quay,
      headers: json,
    });
    expect(mirror.status).toBe(202);
  });

  it("answers requests with headers, paths and query values as long as Node takes promptly", async () => {
    const long = (unit: string) => run(unit, 12 * KIB);
    const body = JSON.stringify(fixture("distribution-v3/v3.1-manifest-push-tag.json"));
    await expectPrompt("POST", "/api/v1/ingest/distribution", {
      body,
      headers: { "content-type": `application/json;${long(" ;")}` },
    });
    await expectPrompt("POST", "/api/v1/ingest/distribution", {
      body,
      headers: { ...json, "x-request-id": `${long("a.")}!` },
    });
    await expectPrompt("POST", `/api/v1/ingest/quay/${long("%2F")}`, { body, headers: json });
    const admin = { token: ADMIN_TOKEN };
    expect((await expectPrompt("GET", `/api/v1/webhooks/wh_${long("0")}`, admin)).status).toBe(404);
    const cursor = await expectPrompt(
      "GET",
      `/api/v1/webhooks/${newId("webhook")}/deliveries?cursor=dlv_${long("0")}`,
      admin,
    );
    expect(cursor.status).toBe(404);
    expect((await expectPrompt("GET", `/api/v1/${long("/")}x`, admin)).status).toBe(404);
    for (const list of ["/api/v1/webhooks", "/api/v1/users", "/api/v1/repositories", "/api/v1/limits/webhooks"]) {
      const query = `cursor=${run("a.", 6 * KIB)}!&limit=${run("9", 6 * KIB)}`;
      expect((await expectPrompt("GET", `${list}?${query}`, admin)).status, list).toBe(400);
    }
    const search = await expectPrompt("GET", `/api/v1/repositories?search=${long("%25_")}`, admin);
    expect(search.status).toBe(400);
    // A webhook's delivery search: every field of it long at once (the request line stays under Node's 16 KiB).
    const { id: searched } = await hookyard.createWebhook({
      name: "s",
      url: "http://127.0.0.1:9/s",
      events: ["TAG_PUSH"],
    });
    const part = (unit: string) => run(unit, 3 * KIB);
    const fields = `tag=${part("v")}&eventId=evt_${part("0")}&from=${part("2026-")}&to=${part("9")}`;
    expect((await expectPrompt("GET", `/api/v1/webhooks/${searched}/deliveries?${fields}`, admin)).status).toBe(400);
  });

  it("answers webhook bodies at their limit promptly: a tlsCert of BEGIN lines, a grace of digits", async () => {
    const admin = { token: ADMIN_TOKEN, headers: { "content-type": "application/json" } };
    const tlsCert = run("-----BEGIN CERTIFICATE-----", 60_000);
    const body = JSON.stringify({ name: "x", url: "https://hooks.example.com/", events: ["TAG_PUSH"], tlsCert });
    const created = await expectPrompt("POST", "/api/v1/webhooks", { ...admin, body });
    expect([created.status, created.json.error.message]).toEqual([400, expect.stringMatching(/^tlsCert: /)]);

    const { id } = await hookyard.createWebhook({ name: "r", url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"] });
    const grace = JSON.stringify({ grace: `${run("1", 60_000)}.5x` });
    const rotated = await expectPrompt("POST", `/api/v1/webhooks/${id}/secret/rotate`, { ...admin, body: grace });
    expect(rotated.status).toBe(400);
  });
});
