import { describe, expect, it } from "vitest";
import { PAYLOAD_FORMATS } from "../payload-format.js";
import type { RegistryEvent } from "../registry-event.js";
import { renderPayload, SUPPORTED_FORMATS } from "./render.js";

const event: RegistryEvent = {
  type: "TAG_PUSH",
  dedupKey: "distribution:0f6b4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e:TAG_PUSH",
  source: "distribution",
  namespace: "acme",
  repository: "acme/web",
  tag: "1.0",
  digest: "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
  actor: "alice",
  occurredAt: "2026-11-23T10:00:00.123Z",
  data: {},
};

describe("renderPayload", () => {
  it("sends dtr bodies as application/json JSON of the DTR envelope", () => {
    const rendered = renderPayload("dtr", event, "evt_1");
    expect(rendered.contentType).toBe("application/json");
    const body = JSON.parse(rendered.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["contents", "createdAt", "location", "type"]);
    expect(body.type).toBe("TAG_PUSH");
    expect(body.location).toBe("/repositories/acme/web/tags/1.0");
  });

  it("offers dtr, the contract's default format", () => {
    expect(SUPPORTED_FORMATS).toContain("dtr");
  });

  it.each(PAYLOAD_FORMATS)(
    "renders %s when it is listed as supported, and refuses it otherwise instead of sending something else",
    (format) => {
      if (SUPPORTED_FORMATS.includes(format)) {
        const callbackUrl = "http://127.0.0.1:3000/api/v1/callbacks/token";
        const template = "{{ event.tag }}";
        expect(typeof renderPayload(format, event, "evt_1", { callbackUrl, template }).body).toBe("string");
      } else {
        expect(() => renderPayload(format, event, "evt_1")).toThrow(format);
      }
    },
  );
});
