import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";

const KEY = Buffer.alloc(32, 7).toString("base64");
/** Every process needs HOOKYARD_ENCRYPTION_KEYS; the tests of other settings give one. */
const load = (env: Record<string, string>) => loadConfig({ HOOKYARD_ENCRYPTION_KEYS: `k1:${KEY}`, ...env });

describe("loadConfig", () => {
  it("uses the contract's defaults", () => {
    const config = load({});
    expect(config).toMatchObject({
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/hookyard",
      redisUrl: "redis://127.0.0.1:6379",
      port: 3000,
      publicUrl: "http://127.0.0.1:3000",
      adminToken: null,
      ingestTokens: [],
      allowPrivateTargets: false,
      deliveryTimeoutMs: 10_000,
      requestTimeoutMs: 10_000,
      callbackTtlMs: 24 * 3_600_000,
      sessionTtlMs: 12 * 3_600_000,
      authFailureLimit: 20,
      authFailureWindowMs: 5 * 60_000,
      metricsPublic: false,
      workerMetricsPort: 9465,
      workerConcurrency: 50,
      webhookConcurrency: 10,
      maxWebhooksPerScope: 1000,
    });
    expect(config.retrySchedule).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });

  it("gives one webhook a fifth of a worker's concurrency unless told", () => {
    expect(load({ HOOKYARD_WORKER_CONCURRENCY: "100" }).webhookConcurrency).toBe(20);
    expect(load({ HOOKYARD_WORKER_CONCURRENCY: "3" }).webhookConcurrency).toBe(1);
    expect(load({ HOOKYARD_WEBHOOK_CONCURRENCY: "4" }).webhookConcurrency).toBe(4);
  });

  it("follows PORT in the default public URL", () => {
    expect(load({ PORT: "8080" }).publicUrl).toBe("http://127.0.0.1:8080");
  });

  it("reads lists, durations and booleans", () => {
    const config = load({
      HOOKYARD_INGEST_TOKENS: "registry-one-token-123, registry-two-token-456",
      HOOKYARD_RETRY_SCHEDULE: "200ms,500ms,1s",
      HOOKYARD_DELIVERY_TIMEOUT: "2s",
      HOOKYARD_REQUEST_TIMEOUT: "1.5s",
      HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
      HOOKYARD_METRICS_PUBLIC: "yes",
      HOOKYARD_WORKER_METRICS_PORT: "0",
    });
    expect(config.ingestTokens).toEqual(["registry-one-token-123", "registry-two-token-456"]);
    expect(config.retrySchedule).toEqual([200, 500, 1000]);
    expect(config.deliveryTimeoutMs).toBe(2000);
    expect(config.requestTimeoutMs).toBe(1500);
    expect(config.allowPrivateTargets).toBe(true);
    expect(config.metricsPublic).toBe(true);
    expect(config.workerMetricsPort).toBe(0);
  });

  it("bounds templates by the HOOKYARD_TEMPLATE_* settings, 16 KiB, 100 ms and 256 KiB by default", () => {
    expect(load({}).templateLimits).toEqual({ maxBytes: 16384, renderTimeoutMs: 100, maxOutputBytes: 262144 });
    expect(
      load({
        HOOKYARD_TEMPLATE_MAX_BYTES: "4096",
        HOOKYARD_TEMPLATE_RENDER_TIMEOUT: "250ms",
        HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES: "1048576",
      }).templateLimits,
    ).toEqual({ maxBytes: 4096, renderTimeoutMs: 250, maxOutputBytes: 1048576 });
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://localhost/db"],
    ["REDIS_URL", "not a url"],
    ["HOOKYARD_PUBLIC_URL", "ftp://example.com"],
    ["HOOKYARD_RETRY_SCHEDULE", "1s,soon"],
    ["HOOKYARD_DELIVERY_TIMEOUT", "10"],
    ["HOOKYARD_WEBHOOK_CONCURRENCY", "0"],
    ["HOOKYARD_REQUEST_TIMEOUT", "10"],
    ["HOOKYARD_REQUEST_TIMEOUT", "0s"],
    ["HOOKYARD_REQUEST_TIMEOUT", "soon"],
    ["HOOKYARD_CALLBACK_TTL", "-1h"],
    ["HOOKYARD_ALLOW_PRIVATE_TARGETS", "maybe"],
    ["HOOKYARD_INGEST_TOKENS", "short"],
    ["HOOKYARD_ADMIN_TOKEN", "short"],
    ["HOOKYARD_QUEUE_PREFIX", "has:colon"],
    ["HOOKYARD_METRICS_PUBLIC", "sometimes"],
    ["HOOKYARD_WORKER_METRICS_PORT", "70000"],
    ["HOOKYARD_WORKER_METRICS_PORT", "metrics"],
    ["HOOKYARD_RETENTION", "forever"],
    ["HOOKYARD_BODY_RETENTION", "0s"],
    ["HOOKYARD_PRUNE_INTERVAL", "often"],
    ["HOOKYARD_REDIS_CLUSTER", "perhaps"],
    ["HOOKYARD_DELIVERY_SHARDS", "0"],
    ["HOOKYARD_DELIVERY_SHARDS", "65"],
    ["HOOKYARD_DELIVERY_SHARDS", "two"],
    ["HOOKYARD_MAX_WEBHOOKS_PER_SCOPE", "0"],
    ["HOOKYARD_MAX_WEBHOOKS_PER_SCOPE", "lots"],
    ["REDIS_URL", "redis://10.0.0.1:6379,redis://10.0.0.2:6379"],
    ["HOOKYARD_AUTH_FAILURE_LIMIT", "-1"],
    ["HOOKYARD_AUTH_FAILURE_LIMIT", "many"],
    ["HOOKYARD_AUTH_FAILURE_WINDOW", "0s"],
    ["HOOKYARD_TEMPLATE_MAX_BYTES", "0"],
    ["HOOKYARD_TEMPLATE_MAX_BYTES", "40000"],
    ["HOOKYARD_TEMPLATE_RENDER_TIMEOUT", "fast"],
    ["HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES", "2000000"],
  ])("refuses %s=%s with an error naming the variable", (variable, value) => {
    expect(() => load({ [variable]: value })).toThrow(ConfigError);
    expect(() => load({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });

  it("keeps history 30 days and bodies 7 by default, and refuses a retention shorter than the retries", () => {
    expect(load({})).toMatchObject({ retentionMs: 30 * 86_400_000, bodyRetentionMs: 7 * 86_400_000 });
    // The default schedule's retries span 5s+5m+30m+2h+5h+10h+10h, about 27.6 hours.
    expect(() => load({ HOOKYARD_RETENTION: "1d" })).toThrow(
      /^HOOKYARD_RETENTION: 1d is shorter than HOOKYARD_RETRY_SCHEDULE, whose retries span /,
    );
    expect(
      load({ HOOKYARD_RETENTION: "2m", HOOKYARD_BODY_RETENTION: "1m", HOOKYARD_RETRY_SCHEDULE: "1s,5s" }),
    ).toMatchObject({
      retentionMs: 120_000,
      bodyRetentionMs: 60_000,
    });
    expect(() => load({ HOOKYARD_RETENTION: "40d", HOOKYARD_BODY_RETENTION: "50d" })).toThrow(
      /^HOOKYARD_BODY_RETENTION: 50d is longer than HOOKYARD_RETENTION \(40d\)/,
    );
  });

  it("limits failed authentications unless the limit is 0", () => {
    expect(load({ HOOKYARD_AUTH_FAILURE_LIMIT: "5", HOOKYARD_AUTH_FAILURE_WINDOW: "30s" })).toMatchObject({
      authFailureLimit: 5,
      authFailureWindowMs: 30_000,
    });
    expect(load({ HOOKYARD_AUTH_FAILURE_LIMIT: "0" }).authFailureLimit).toBe(0);
  });

  it("takes one Redis by default, one shard, and no cluster", () => {
    expect(load({})).toMatchObject({ redisCluster: false, deliveryShards: 1 });
  });

  it("takes a Redis Cluster's comma-separated seed nodes in cluster mode, and delivery shards", () => {
    const config = load({
      HOOKYARD_REDIS_CLUSTER: "true",
      REDIS_URL: "redis://10.0.0.1:7000, redis://10.0.0.2:7000,rediss://:secret@redis-2.internal:7001",
      HOOKYARD_DELIVERY_SHARDS: "8",
    });
    expect(config).toMatchObject({
      redisCluster: true,
      redisUrl: "redis://10.0.0.1:7000,redis://10.0.0.2:7000,rediss://:secret@redis-2.internal:7001",
      deliveryShards: 8,
    });
    expect(load({ HOOKYARD_REDIS_CLUSTER: "true" }).redisUrl).toBe("redis://127.0.0.1:6379");
  });

  it.each([
    ["redis://10.0.0.1:7000,", /^REDIS_URL: "" is not a redis:\/\/host:port URL of a cluster node$/],
    ["redis://10.0.0.1:7000,10.0.0.2:7000", /^REDIS_URL: "10.0.0.2:7000" is not a redis:\/\/host:port URL/],
    ["http://10.0.0.1:7000", /^REDIS_URL: "http:\/\/10.0.0.1:7000" is not a redis:\/\/host:port URL/],
    [
      "redis://10.0.0.1:7000/2",
      /^REDIS_URL: "redis:\/\/10.0.0.1:7000\/2" names a database: a Redis Cluster has database 0 only$/,
    ],
  ])("refuses the cluster seed list %s, naming REDIS_URL and the bad seed", (value, message) => {
    expect(() => load({ HOOKYARD_REDIS_CLUSTER: "true", REDIS_URL: value })).toThrow(message);
  });

  it("reads HOOKYARD_ENCRYPTION_KEYS: the first key encrypts, every one decrypts", () => {
    const other = Buffer.alloc(32, 9).toString("base64");
    const { encryptionKeys } = load({ HOOKYARD_ENCRYPTION_KEYS: `2026-12:${other}, k1:${KEY}` });
    expect(encryptionKeys.currentId).toBe("2026-12");
    expect(encryptionKeys.ids).toEqual(["2026-12", "k1"]);
  });

  it("refuses to start without HOOKYARD_ENCRYPTION_KEYS, saying what to set", () => {
    for (const value of [undefined, "", "  "]) {
      expect(() => loadConfig({ HOOKYARD_ENCRYPTION_KEYS: value })).toThrow(
        /^HOOKYARD_ENCRYPTION_KEYS: is not set: .*"<key id>:<base64 of 32 bytes>", e\.g\. key1:\$\(openssl rand -base64 32\)/,
      );
    }
  });

  it.each([
    ["no key id", KEY, /entry 1 is not <key id>:<base64 key>/],
    ["a short key", `k1:${Buffer.alloc(16, 7).toString("base64")}`, /the key of "k1" is not the base64 of 32 bytes/],
    [
      "the placeholder of deploy/",
      "CHANGE-ME-placeholder",
      /holds the placeholder of deploy\/kubernetes\/base\/secret\.yaml/,
    ],
    ["an id twice", `k1:${KEY},k1:${KEY}`, /key id "k1" is given twice/],
  ])("refuses HOOKYARD_ENCRYPTION_KEYS with %s, naming it and never the key", (_why, value, message) => {
    let error: unknown;
    try {
      loadConfig({ HOOKYARD_ENCRYPTION_KEYS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe("HOOKYARD_ENCRYPTION_KEYS");
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(KEY);
  });
});

describe("the egress proxy", () => {
  it("is off unless HOOKYARD_HTTP_PROXY is set, whatever the environment's own proxy settings", () => {
    expect(load({ HTTP_PROXY: "http://127.0.0.1:3128", NO_PROXY: "hooks.test" }).egressProxy).toBeNull();
  });

  it("keeps the credentials apart from the URL, as the header the proxy asks for", () => {
    const proxy = load({
      HOOKYARD_HTTP_PROXY: "http://hook%40yard:p%3Ass@127.0.0.1:3128",
      HOOKYARD_NO_PROXY: "hooks.test, 10.0.0.0/8",
    }).egressProxy;
    expect(proxy).toMatchObject({
      url: "http://127.0.0.1:3128",
      authorization: `Basic ${Buffer.from("hook@yard:p:ss").toString("base64")}`,
    });
    expect(proxy?.noProxy.map((rule) => rule.kind)).toEqual(["domain", "range"]);
    expect(load({ HOOKYARD_HTTP_PROXY: "http://[::1]:3128/" }).egressProxy).toEqual({
      url: "http://[::1]:3128",
      authorization: null,
      noProxy: [],
    });
  });

  it("refuses a bad value naming the setting, and never repeats a password", () => {
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ HOOKYARD_HTTP_PROXY: "localhost:3128" }, "HOOKYARD_HTTP_PROXY", /must start with http:\/\//],
      [
        { HOOKYARD_HTTP_PROXY: "https://u:hunter22@127.0.0.1:3128" },
        "HOOKYARD_HTTP_PROXY",
        /must start with http:\/\//,
      ],
      [
        { HOOKYARD_HTTP_PROXY: "http://u:hunter22@127.0.0.1:3128/x" },
        "HOOKYARD_HTTP_PROXY",
        /no path, query or fragment/,
      ],
      [{ HOOKYARD_HTTP_PROXY: "http://u:hunter22%zz@127.0.0.1:3128" }, "HOOKYARD_HTTP_PROXY", /percent-encoded/],
      [{ HOOKYARD_HTTP_PROXY: "not a url hunter22" }, "HOOKYARD_HTTP_PROXY", /is not a URL/],
      [{ HOOKYARD_NO_PROXY: "hooks.test:443" }, "HOOKYARD_NO_PROXY", /ports are not supported/],
    ];
    for (const [env, variable, message] of cases) {
      let thrown: unknown;
      try {
        load(env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(env)).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).variable).toBe(variable);
      expect((thrown as ConfigError).message).toMatch(message);
      expect((thrown as ConfigError).message).not.toContain("hunter22");
    }
  });
});
