import {
  DEFAULT_RETRY_SCHEDULE,
  type EgressProxy,
  EncryptionKeys,
  EncryptionKeysError,
  formatDuration,
  MAX_DELIVERY_SHARDS,
  MAX_TEMPLATE_BYTES,
  MAX_TEMPLATE_OUTPUT_BYTES,
  maxAttempts,
  NoProxyError,
  parseDuration,
  parseNoProxy,
  parseRetrySchedule,
  type TemplateLimits,
  withoutTrailingSlashes,
} from "@hookyard/core";
import { placeholderProblems } from "./placeholders.js";

/** Everything Hookyard reads from its environment, read once at start-up. */
export interface Config {
  databaseUrl: string;
  /** One redis:// URL or, with redisCluster, the cluster's seed nodes joined by commas. */
  redisUrl: string;
  /** REDIS_URL names a Redis Cluster (HOOKYARD_REDIS_CLUSTER). */
  redisCluster: boolean;
  port: number;
  publicUrl: string;
  /** null: generate one on first start (see the contract). */
  adminToken: string | null;
  ingestTokens: string[];
  /** HOOKYARD_ENCRYPTION_KEYS: webhooks' secrets and headers are stored encrypted with the first. */
  encryptionKeys: EncryptionKeys;
  allowPrivateTargets: boolean;
  /** HOOKYARD_HTTP_PROXY and HOOKYARD_NO_PROXY: deliveries and test sends go out through this
   * proxy; null: straight to receivers. */
  egressProxy: EgressProxy | null;
  retrySchedule: number[];
  /** Attempts in one series of a delivery: the schedule's delays + 1. */
  maxAttempts: number;
  /** A webhook is disabled after this many failed deliveries in a row (0: never)... */
  autoDisableFailures: number;
  /** ...the first of them at least this long ago. */
  autoDisableAfterMs: number;
  deliveryTimeoutMs: number;
  /** How long a client has to send a whole request, headers and body, to the API. */
  requestTimeoutMs: number;
  callbackTtlMs: number;
  /** How long a web UI sign-in lasts (the session cookie), from signing in. */
  sessionTtlMs: number;
  /** Failed authentications one client address may make in authFailureWindowMs before it is
   * answered 429 (per API process); 0: no limit. */
  authFailureLimit: number;
  /** The window failed authentications are counted in, from an address's first failure. */
  authFailureWindowMs: number;
  /** Events, finished deliveries with their attempts, and ended chain runs are deleted this long after they end. */
  retentionMs: number;
  /** Attempts' request headers and response headers and bodies are emptied this long after they were sent. */
  bodyRetentionMs: number;
  /** How often a worker prunes what is past retention (one worker at a time). */
  pruneIntervalMs: number;
  /** DELIVERY_EXHAUSTED is sent at most once per webhook per this long, with the count of failures. */
  exhaustionIntervalMs: number;
  /** How long Redis remembers an accepted event's dedup key, to answer a re-sent one as a duplicate. */
  dedupWindowMs: number;
  /** Where the web UI's build is served from at /ui/; null: apps/web/dist of this checkout or image. */
  webDist: string | null;
  /** Redis key prefix of every queue: lets several Hookyards (or tests) share one Redis. */
  queuePrefix: string;
  workerConcurrency: number;
  /** Most deliveries of one webhook a worker process has in flight; the rest wait their turn
   * (a receiver that never answers holds this many of workerConcurrency, not all of them). */
  webhookConcurrency: number;
  /** Delivery queues, each a slot of its own in a cluster; a webhook's deliveries all go to one. */
  deliveryShards: number;
  /** How long a worker holds a job before another may take it over (crash recovery time). */
  jobLockMs: number;
  /** How long a job waits out a Postgres outage (without spending an attempt) before it fails. */
  storeWaitMs: number;
  /** How often a worker looks for deliveries and events the queue has lost (one worker at a time). */
  reconcileIntervalMs: number;
  /** Ingest answers 503 once Redis holds this share of its maxmemory (headroom for the workers). */
  queueMemoryHighWater: number;
  /** Ingest answers 503 once this many events wait to be fanned out. */
  queueMaxBacklog: number;
  /** Most undeleted webhooks one scope (a repository, a namespace, global) may hold, unless a global
   * admin set another limit for it (PUT /api/v1/limits/webhooks). */
  maxWebhooksPerScope: number;
  /** true: GET /metrics (API and worker) answers without a token; false: a global admin's token. */
  metricsPublic: boolean;
  /** Port of the worker's own HTTP server (GET /metrics, /healthz) on 0.0.0.0; 0: no server. */
  workerMetricsPort: number;
  /** HOOKYARD_TEMPLATE_MAX_BYTES, _RENDER_TIMEOUT, _MAX_OUTPUT_BYTES: bounds of a webhook's template. */
  templateLimits: TemplateLimits;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = read(env, name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, "is not a URL");
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return value;
}

/**
 * REDIS_URL: one Redis or, in cluster mode, one or more seed nodes of a Redis Cluster separated by
 * commas (ioredis finds the other nodes from any of them). A cluster has database 0 only.
 */
function redisUrl(env: Env, cluster: boolean): string {
  const fallback = "redis://127.0.0.1:6379";
  const value = read(env, "REDIS_URL") ?? fallback;
  if (!cluster) {
    if (value.includes(",")) {
      throw new ConfigError("REDIS_URL", "lists several URLs: set HOOKYARD_REDIS_CLUSTER=true for a Redis Cluster");
    }
    return url(env, "REDIS_URL", fallback, ["redis:", "rediss:"]);
  }
  const seeds = value.split(",").map((seed) => seed.trim());
  for (const seed of seeds) {
    let parsed: URL;
    try {
      parsed = new URL(seed);
    } catch {
      throw new ConfigError("REDIS_URL", `"${seed}" is not a redis://host:port URL of a cluster node`);
    }
    if (!["redis:", "rediss:"].includes(parsed.protocol) || parsed.hostname === "") {
      throw new ConfigError("REDIS_URL", `"${seed}" is not a redis://host:port URL of a cluster node`);
    }
    if (!["", "/", "/0"].includes(parsed.pathname)) {
      throw new ConfigError("REDIS_URL", `"${seed}" names a database: a Redis Cluster has database 0 only`);
    }
  }
  return seeds.join(",");
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function fraction(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(name, `must be a number from ${min} to ${max}`);
  return n;
}

function duration(env: Env, name: string, fallback: string): number {
  const value = read(env, name) ?? fallback;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new ConfigError(name, `"${value}" is not a duration such as 500ms, 10s, 5m, 24h`);
  return ms;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = read(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new ConfigError(name, "must be true or false");
}

function tokens(env: Env, name: string): string[] {
  const list = (read(env, name) ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  if (list.some((t) => t.length < 16)) throw new ConfigError(name, "every token must be at least 16 characters");
  return list;
}

/**
 * HOOKYARD_ENCRYPTION_KEYS, which every process needs: there is no mode that stores webhooks'
 * secrets in clear (`pnpm start` makes a key for local use; docs/decisions/0013).
 */
function encryptionKeys(env: Env): EncryptionKeys {
  const name = "HOOKYARD_ENCRYPTION_KEYS";
  const value = read(env, name);
  if (value === undefined) {
    throw new ConfigError(
      name,
      'is not set: webhooks\' secrets are stored encrypted with it. Set it to "<key id>:<base64 of 32 bytes>", e.g. key1:$(openssl rand -base64 32), the same in every API and worker process, and keep it: stored secrets cannot be read without it (pnpm start makes one for local use)',
    );
  }
  try {
    return EncryptionKeys.parse(value);
  } catch (error) {
    if (error instanceof EncryptionKeysError) throw new ConfigError(name, error.message);
    throw error;
  }
}

/**
 * HOOKYARD_RETENTION and HOOKYARD_BODY_RETENTION, checked against each other and the retry schedule:
 * a delivery's history must outlive its retries, or a failure would vanish before anyone saw it end.
 */
function retention(env: Env, retrySchedule: readonly number[]): { retentionMs: number; bodyRetentionMs: number } {
  const retentionMs = duration(env, "HOOKYARD_RETENTION", "30d");
  const bodyRetentionMs = duration(env, "HOOKYARD_BODY_RETENTION", "7d");
  const retriesSpan = retrySchedule.reduce((sum, delay) => sum + delay, 0);
  if (retentionMs < retriesSpan) {
    throw new ConfigError(
      "HOOKYARD_RETENTION",
      `${formatDuration(retentionMs)} is shorter than HOOKYARD_RETRY_SCHEDULE, whose retries span ${formatDuration(retriesSpan)}: keep history at least that long`,
    );
  }
  if (bodyRetentionMs > retentionMs) {
    throw new ConfigError(
      "HOOKYARD_BODY_RETENTION",
      `${formatDuration(bodyRetentionMs)} is longer than HOOKYARD_RETENTION (${formatDuration(retentionMs)}): attempts are deleted whole by then`,
    );
  }
  return { retentionMs, bodyRetentionMs };
}

/**
 * HOOKYARD_HTTP_PROXY (http://[user:password@]host[:port]) and HOOKYARD_NO_PROXY. Plain HTTP_PROXY
 * and NO_PROXY are not read: they are set for other tools as often as for this one (decision 0018).
 * No message here repeats the value: it may hold a password.
 */
function egressProxy(env: Env): EgressProxy | null {
  const name = "HOOKYARD_HTTP_PROXY";
  const noProxyValue = read(env, "HOOKYARD_NO_PROXY") ?? "";
  let noProxy: EgressProxy["noProxy"];
  try {
    noProxy = parseNoProxy(noProxyValue);
  } catch (error) {
    if (error instanceof NoProxyError) throw new ConfigError("HOOKYARD_NO_PROXY", error.message);
    throw error;
  }
  const value = read(env, name);
  if (value === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, "is not a URL such as http://127.0.0.1:3128");
  }
  if (parsed.protocol !== "http:") {
    throw new ConfigError(
      name,
      "must start with http:// (Hookyard speaks plain HTTP to the proxy, and tunnels through it)",
    );
  }
  if (parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "") {
    throw new ConfigError(name, "must be http://[user:password@]host[:port], with no path, query or fragment");
  }
  let authorization: string | null = null;
  if (parsed.username !== "" || parsed.password !== "") {
    let credentials: string;
    try {
      credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    } catch {
      throw new ConfigError(name, "holds credentials that are not validly percent-encoded");
    }
    authorization = `Basic ${Buffer.from(credentials).toString("base64")}`;
  }
  return { url: `http://${parsed.host}`, authorization, noProxy };
}

/** The example values of deploy/kubernetes/base/secret.yaml: refused, every one named at once. */
function refusePlaceholders(env: Env): void {
  const [first, ...others] = placeholderProblems(env);
  if (!first) return;
  const more = others.map((p) => `\n${p.name}: ${p.detail}`).join("");
  throw new ConfigError(first.name, `${first.detail}${more}`);
}

export function loadConfig(env: Env): Config {
  refusePlaceholders(env);
  const port = integer(env, "PORT", 3000, 0, 65535);
  const retry = read(env, "HOOKYARD_RETRY_SCHEDULE") ?? DEFAULT_RETRY_SCHEDULE;
  const retrySchedule = parseRetrySchedule(retry);
  if (retrySchedule === null) {
    throw new ConfigError(
      "HOOKYARD_RETRY_SCHEDULE",
      `"${retry}" is not a comma-separated list of durations such as 200ms,5s,5m`,
    );
  }
  const adminToken = read(env, "HOOKYARD_ADMIN_TOKEN") ?? null;
  if (adminToken !== null && adminToken.length < 16) {
    throw new ConfigError("HOOKYARD_ADMIN_TOKEN", "must be at least 16 characters");
  }
  const queuePrefix = read(env, "HOOKYARD_QUEUE_PREFIX") ?? "hookyard";
  const workerConcurrency = integer(env, "HOOKYARD_WORKER_CONCURRENCY", 50, 1, 1000);
  const redisCluster = boolean(env, "HOOKYARD_REDIS_CLUSTER", false);
  if (!/^[A-Za-z0-9_.-]+$/.test(queuePrefix)) {
    throw new ConfigError("HOOKYARD_QUEUE_PREFIX", "may hold only letters, digits, '.', '_' and '-'");
  }
  const { retentionMs, bodyRetentionMs } = retention(env, retrySchedule);
  return {
    databaseUrl: url(env, "DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/hookyard", [
      "postgresql:",
      "postgres:",
    ]),
    redisUrl: redisUrl(env, redisCluster),
    redisCluster,
    port,
    publicUrl: withoutTrailingSlashes(url(env, "HOOKYARD_PUBLIC_URL", `http://127.0.0.1:${port}`, ["http:", "https:"])),
    adminToken,
    ingestTokens: tokens(env, "HOOKYARD_INGEST_TOKENS"),
    encryptionKeys: encryptionKeys(env),
    allowPrivateTargets: boolean(env, "HOOKYARD_ALLOW_PRIVATE_TARGETS", false),
    egressProxy: egressProxy(env),
    retrySchedule: [...retrySchedule],
    maxAttempts: maxAttempts(retrySchedule),
    autoDisableFailures: integer(env, "HOOKYARD_AUTO_DISABLE_FAILURES", 5, 0, 1_000_000),
    autoDisableAfterMs: duration(env, "HOOKYARD_AUTO_DISABLE_AFTER", "5d"),
    deliveryTimeoutMs: duration(env, "HOOKYARD_DELIVERY_TIMEOUT", "10s"),
    requestTimeoutMs: duration(env, "HOOKYARD_REQUEST_TIMEOUT", "10s"),
    callbackTtlMs: duration(env, "HOOKYARD_CALLBACK_TTL", "24h"),
    sessionTtlMs: duration(env, "HOOKYARD_SESSION_TTL", "12h"),
    authFailureLimit: integer(env, "HOOKYARD_AUTH_FAILURE_LIMIT", 20, 0, 1_000_000),
    authFailureWindowMs: duration(env, "HOOKYARD_AUTH_FAILURE_WINDOW", "5m"),
    retentionMs,
    bodyRetentionMs,
    pruneIntervalMs: duration(env, "HOOKYARD_PRUNE_INTERVAL", "1m"),
    exhaustionIntervalMs: duration(env, "HOOKYARD_EXHAUSTION_INTERVAL", "1m"),
    dedupWindowMs: duration(env, "HOOKYARD_DEDUP_WINDOW", "24h"),
    webDist: read(env, "HOOKYARD_WEB_DIST") ?? null,
    queuePrefix,
    workerConcurrency,
    webhookConcurrency: integer(env, "HOOKYARD_WEBHOOK_CONCURRENCY", Math.ceil(workerConcurrency / 5), 1, 1000),
    deliveryShards: integer(env, "HOOKYARD_DELIVERY_SHARDS", 1, 1, MAX_DELIVERY_SHARDS),
    jobLockMs: duration(env, "HOOKYARD_JOB_LOCK", "30s"),
    storeWaitMs: duration(env, "HOOKYARD_STORE_WAIT", "24h"),
    reconcileIntervalMs: duration(env, "HOOKYARD_RECONCILE_INTERVAL", "1m"),
    queueMemoryHighWater: fraction(env, "HOOKYARD_QUEUE_MEMORY_HIGH_WATER", 0.8, 0.1, 0.95),
    queueMaxBacklog: integer(env, "HOOKYARD_QUEUE_MAX_BACKLOG", 1_000_000, 1, 1_000_000_000),
    maxWebhooksPerScope: integer(env, "HOOKYARD_MAX_WEBHOOKS_PER_SCOPE", 1000, 1, 1_000_000),
    metricsPublic: boolean(env, "HOOKYARD_METRICS_PUBLIC", false),
    workerMetricsPort: integer(env, "HOOKYARD_WORKER_METRICS_PORT", 9465, 0, 65535),
    templateLimits: {
      maxBytes: integer(env, "HOOKYARD_TEMPLATE_MAX_BYTES", 16 * 1024, 1, MAX_TEMPLATE_BYTES),
      renderTimeoutMs: duration(env, "HOOKYARD_TEMPLATE_RENDER_TIMEOUT", "100ms"),
      maxOutputBytes: integer(env, "HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES", 256 * 1024, 1, MAX_TEMPLATE_OUTPUT_BYTES),
    },
    logLevel: read(env, "LOG_LEVEL") ?? "info",
  };
}
