import { describe, expect, it } from "vitest";
import { renderPayload } from "./payloads/render.js";
import { REDACTED, storableRequestBody } from "./request-body.js";
import { sampleEvent } from "./sample-event.js";

describe("storableRequestBody", () => {
  it("replaces a dockerhub body's callback_url and keeps the rest as sent", () => {
    const url = "http://127.0.0.1:3000/api/v1/callbacks/cb_01jx?token=s3cr3t-capability";
    const event = sampleEvent("TAG_PUSH", { kind: "repository", namespace: "acme", repository: "acme/web" }, "k1");
    const { body } = renderPayload("dockerhub", event, "evt_1", { callbackUrl: url });
    const stored = storableRequestBody(body, url);
    expect(stored).not.toContain("s3cr3t-capability");
    expect(JSON.parse(stored)).toEqual({ ...JSON.parse(body), callback_url: REDACTED });
  });

  it("keeps a body without a callback_url as it is", () => {
    expect(storableRequestBody('{"a":1}')).toBe('{"a":1}');
    expect(storableRequestBody("a\u0000b")).toBe("a\uFFFDb");
  });
});
