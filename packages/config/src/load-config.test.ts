import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load-config.js";

describe("loadConfig", () => {
  it("uses the contract's defaults", () => {
    const config = loadConfig({});
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
      metricsPublic: false,
      workerMetricsPort: 9465,
    });
    expect(config.retrySchedule).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });

  it("follows PORT in the default public URL", () => {
    expect(loadConfig({ PORT: "8080" }).publicUrl).toBe("http://127.0.0.1:8080");
  });

  it("reads lists, durations and booleans", () => {
    const config = loadConfig({
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

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://localhost/db"],
    ["REDIS_URL", "not a url"],
    ["HOOKYARD_PUBLIC_URL", "ftp://example.com"],
    ["HOOKYARD_RETRY_SCHEDULE", "1s,soon"],
    ["HOOKYARD_DELIVERY_TIMEOUT", "10"],
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
  ])("refuses %s=%s with an error naming the variable", (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });
});
