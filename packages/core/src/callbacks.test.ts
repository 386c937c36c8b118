import { describe, expect, it } from "vitest";
import { maskCallbackPath, maskSecretPath, newCallbackToken } from "./callbacks.js";

describe("maskSecretPath", () => {
  it("masks Quay's path token however the path is spelled", () => {
    const token = "quay-ingest-token-0123456789";
    for (const path of [
      `/api/v1/ingest/quay/${token}`,
      `/API/V1/INGEST/QUAY/${token}`,
      `/api/v1/ingest/quay/${token}/`,
      `/api/v1/ingest/%71uay/${token}`,
      `/api/v1/ingest/quay%2F${token}`,
      `/api/v1/ingest/quay//${token}`,
      `//api/v1/ingest/quay/${token}`,
      `/api/v1/ingest/quay/${token}/extra`,
      `/api/v1/ingest/quay/${encodeURIComponent(`${token}/x`)}`,
    ]) {
      expect(maskSecretPath(path), path).not.toContain(token.slice(0, 10));
      expect(maskSecretPath(path), path).toContain("[redacted]");
    }
    expect(maskSecretPath(`/api/v1/ingest/quay/${token}`)).toBe("/api/v1/ingest/quay/[redacted]");
    expect(maskSecretPath(`/api/v1/ingest/quay/${token}/`)).toBe("/api/v1/ingest/quay/[redacted]/");
  });

  it("keeps the paths without a secret as they are", () => {
    for (const path of [
      "/api/v1/ingest/quay",
      "/api/v1/ingest/quay/",
      "/api/v1/ingest/harbor",
      "/api/v1/ingest/distribution/",
      "/api/v1/events",
      "/api/v1/webhooks/whk_01/deliveries",
      "/quay/not-after-ingest",
    ]) {
      expect(maskSecretPath(path), path).toBe(path);
    }
  });

  it("masks callback tokens as before, and is what maskCallbackPath is", () => {
    const { token } = newCallbackToken();
    expect(maskSecretPath(`/api/v1/callbacks/${token}`)).toBe("/api/v1/callbacks/[redacted]");
    expect(maskSecretPath(`/api/v1/callback/${token}`)).toBe("/api/v1/callback/[redacted]");
    expect(maskSecretPath("/api/v1/callbacks/short")).toBe("/api/v1/callbacks/[redacted]");
    expect(maskCallbackPath).toBe(maskSecretPath);
  });
});
