import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  buildDeliveryHeaders,
  CUSTOM_HEADER_LIMITS,
  customHeadersProblem,
  type DeliveryHeaderInput,
  isReservedHeader,
  redactHeaders,
} from "./delivery-headers.js";

const KEY = Buffer.from("0123456789abcdef0123456789abcdef", "utf8");
const SECRET = `whsec_${KEY.toString("base64")}`;
const BODY =
  '{"type":"TAG_PUSH","createdAt":"2026-11-23T10:00:00.123Z","contents":{},"location":"/repositories/acme/web/tags/1.0"}';

function input(overrides: Partial<DeliveryHeaderInput> = {}): DeliveryHeaderInput {
  return {
    deliveryId: "dlv_01JDQ3K8Z9",
    eventType: "TAG_PUSH",
    contentType: "application/json",
    body: BODY,
    timestampSeconds: 1_795_428_000,
    secret: null,
    userAgent: "Hookyard/0.1.0",
    custom: {},
    ...overrides,
  };
}

/** Header lookup ignoring case, failing when a name appears twice in different cases. */
function header(headers: Record<string, string>, name: string): string | undefined {
  const found = Object.entries(headers).filter(([key]) => key.toLowerCase() === name.toLowerCase());
  expect(found.length, `one ${name} header`).toBeLessThanOrEqual(1);
  return found[0]?.[1];
}

describe("buildDeliveryHeaders", () => {
  it("sends the contract's headers", () => {
    const headers = buildDeliveryHeaders(input());
    expect(header(headers, "content-type")).toBe("application/json");
    expect(header(headers, "user-agent")).toBe("Hookyard/0.1.0");
    expect(header(headers, "x-hookyard-event")).toBe("TAG_PUSH");
    expect(header(headers, "x-hookyard-delivery")).toBe("dlv_01JDQ3K8Z9");
    expect(header(headers, "webhook-timestamp")).toBe("1795428000");
  });

  it("uses the delivery id as webhook-id, so it is the same on every retry", () => {
    const first = buildDeliveryHeaders(input({ timestampSeconds: 1_795_428_000 }));
    const retry = buildDeliveryHeaders(input({ timestampSeconds: 1_795_428_300 }));
    expect(header(first, "webhook-id")).toBe("dlv_01JDQ3K8Z9");
    expect(header(retry, "webhook-id")).toBe("dlv_01JDQ3K8Z9");
  });

  it("sends no signature when the webhook has no secret", () => {
    const headers = buildDeliveryHeaders(input({ secret: null }));
    expect(header(headers, "webhook-signature")).toBeUndefined();
  });

  it("signs id.timestamp.body with the webhook's secret (Standard Webhooks)", () => {
    const headers = buildDeliveryHeaders(input({ secret: SECRET }));
    const expected = createHmac("sha256", KEY).update(`dlv_01JDQ3K8Z9.1795428000.${BODY}`).digest("base64");
    expect(header(headers, "webhook-signature")).toBe(`v1,${expected}`);
  });

  it("signs the headers' own id and timestamp, so a receiver can verify with them", () => {
    const headers = buildDeliveryHeaders(input({ secret: SECRET, deliveryId: "dlv_x", timestampSeconds: 42 }));
    const id = header(headers, "webhook-id");
    const ts = header(headers, "webhook-timestamp");
    const mac = createHmac("sha256", KEY).update(`${id}.${ts}.${BODY}`).digest("base64");
    expect(header(headers, "webhook-signature")).toBe(`v1,${mac}`);
  });

  it("passes the webhook's own headers through", () => {
    const headers = buildDeliveryHeaders(input({ custom: { Authorization: "Bearer t0ken", "X-Team": "platform" } }));
    expect(header(headers, "authorization")).toBe("Bearer t0ken");
    expect(header(headers, "x-team")).toBe("platform");
  });

  it("does not let the webhook's headers replace the ones Hookyard owns, whatever their case", () => {
    const headers = buildDeliveryHeaders(
      input({
        secret: SECRET,
        custom: {
          "Content-Type": "text/plain",
          "content-length": "1",
          Host: "internal.example",
          "User-Agent": "curl/8.0",
          "Webhook-Id": "forged-id",
          "WEBHOOK-TIMESTAMP": "1",
          "webhook-signature": "v1,forged",
          "X-Hookyard-Event": "REPO_DELETED",
          "x-hookyard-delivery": "forged",
          "X-Team": "platform",
        },
      }),
    );
    expect(header(headers, "content-type")).toBe("application/json");
    expect(header(headers, "content-length")).not.toBe("1");
    expect(header(headers, "host")).not.toBe("internal.example");
    expect(header(headers, "user-agent")).toBe("Hookyard/0.1.0");
    expect(header(headers, "webhook-id")).toBe("dlv_01JDQ3K8Z9");
    expect(header(headers, "webhook-timestamp")).toBe("1795428000");
    expect(header(headers, "webhook-signature")).not.toBe("v1,forged");
    expect(header(headers, "x-hookyard-event")).toBe("TAG_PUSH");
    expect(header(headers, "x-hookyard-delivery")).toBe("dlv_01JDQ3K8Z9");
    expect(header(headers, "x-team")).toBe("platform");
  });

  it("does not let a webhook header pose as a signature when the webhook has no secret", () => {
    const headers = buildDeliveryHeaders(input({ secret: null, custom: { "Webhook-Signature": "v1,forged" } }));
    expect(header(headers, "webhook-signature")).toBeUndefined();
  });

  it("does not let the webhook's headers set the message framing (Transfer-Encoding)", () => {
    const headers = buildDeliveryHeaders(input({ custom: { "Transfer-Encoding": "chunked" } }));
    expect(header(headers, "transfer-encoding")).toBeUndefined();
  });
});

describe("redactHeaders", () => {
  const credentials: Record<string, string> = {
    Authorization: "Bearer s3cr3t-bearer",
    "Proxy-Authorization": "Basic cHJveHk6cGFzcw==",
    "X-Api-Key": "k3y-value-123",
    "X-Auth-Token": "t0ken-value-456",
    "X-Webhook-Secret": "shhh-789",
    Cookie: "session=abcdef",
    "X-Password": "hunter2-password",
    "X-Passwd": "hunter2-passwd",
    "X-Pwd": "hunter2-pwd",
    "X-Auth": "auth-value-1",
    "X-Credentials": "cred-value-2",
    "X-Session-Id": "session-value-3",
    "X-Hub-Signature-256": "sha256=abcdef0123",
    "X-ApiKey": "apikey-value-4",
    "Api-Key": "apikey-value-5",
    "X-JWT-Assertion": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
  };
  const plain: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Hookyard/0.1.0",
    "webhook-id": "dlv_01JDQ3K8Z9",
    "x-hookyard-event": "TAG_PUSH",
    "X-Team": "platform",
  };

  it("masks credentials and keeps every header name", () => {
    const redacted = redactHeaders({ ...credentials, ...plain });
    expect(Object.keys(redacted).sort()).toEqual(Object.keys({ ...credentials, ...plain }).sort());
    for (const [name, value] of Object.entries(credentials)) {
      expect(redacted[name], name).not.toBe(value);
      expect(redacted[name], name).not.toContain(value);
    }
  });

  it("masks credentials whatever the case of their name", () => {
    const redacted = redactHeaders({ authorization: "Bearer abc123", AUTHORIZATION: "Bearer def456" });
    expect(redacted.authorization).not.toContain("abc123");
    expect(redacted.AUTHORIZATION).not.toContain("def456");
  });

  it("leaves other headers as they were", () => {
    expect(redactHeaders(plain)).toEqual(plain);
  });

  it("does not change the headers it is given", () => {
    const headers = { ...credentials };
    redactHeaders(headers);
    expect(headers).toEqual(credentials);
  });

  it("masks the credentials of a built delivery but keeps its ids", () => {
    const built = buildDeliveryHeaders(input({ custom: { Authorization: "Bearer t0ken" } }));
    const redacted = redactHeaders(built);
    expect(redacted.authorization).not.toContain("t0ken");
    expect(redacted["webhook-id"]).toBe("dlv_01JDQ3K8Z9");
    expect(redacted["x-hookyard-delivery"]).toBe("dlv_01JDQ3K8Z9");
  });
});

describe("customHeadersProblem", () => {
  it("accepts ordinary headers, tabs and spaces inside values, and none at all", () => {
    expect(customHeadersProblem({})).toBeNull();
    expect(customHeadersProblem({ Authorization: "Bearer abc", "X-Team": "platform\tops, infra" })).toBeNull();
    expect(customHeadersProblem({ "X-Empty": "" })).toBeNull();
  });

  it.each([
    ["CR", "a\rb"],
    ["LF", "a\nX-Injected: 1"],
    ["CRLF", "a\r\nX-Injected: 1"],
    ["NUL", "a\u0000b"],
    ["ESC", "a\u001bb"],
    ["a vertical tab", "a\u000bb"],
    ["DEL", "a\u007fb"],
    ["a non-ASCII letter", "équipe"],
    ["a character beyond Latin-1", "チーム"],
  ])("refuses a value with %s, naming headers and the header", (_why, value) => {
    const message = customHeadersProblem({ "X-Team": value });
    expect(message).toMatch(/^headers: the value of X-Team /);
  });

  it.each([
    "Content-Encoding",
    "content-encoding",
    "Content-Type",
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "Proxy-Authorization",
    "Proxy-Connection",
    "Upgrade",
    "TE",
    "Trailer",
    "Host",
    "Webhook-Signature",
    "X-Hookyard-Event",
  ])("refuses the reserved header %s", (name) => {
    expect(isReservedHeader(name)).toBe(true);
    expect(customHeadersProblem({ [name]: "x" })).toBe(`headers: ${name} is set by Hookyard and cannot be overridden`);
  });

  it.each(["X Team", "X-Team:", "", "X_Team", "X-Tëam", "a".repeat(101)])("refuses the name %j", (name) => {
    expect(customHeadersProblem({ [name]: "x" })).toMatch(/^headers: .* is not a header name/);
  });

  it("refuses a name given twice in different cases, which would otherwise lose one silently", () => {
    expect(customHeadersProblem({ "X-Team": "a", "x-team": "b" })).toMatch(/^headers: x-team is given twice/);
  });

  it(`takes ${CUSTOM_HEADER_LIMITS.count} headers and refuses one more`, () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X-H${i}`, "v"]));
    expect(customHeadersProblem(many(CUSTOM_HEADER_LIMITS.count))).toBeNull();
    expect(customHeadersProblem(many(CUSTOM_HEADER_LIMITS.count + 1))).toMatch(/^headers: at most 30 headers/);
  });

  it("bounds one value and the size of all names and values together", () => {
    expect(customHeadersProblem({ "X-Big": "v".repeat(CUSTOM_HEADER_LIMITS.valueLength) })).toBeNull();
    expect(customHeadersProblem({ "X-Big": "v".repeat(CUSTOM_HEADER_LIMITS.valueLength + 1) })).toMatch(
      /^headers: the value of X-Big is longer than 2048/,
    );
    // Four names of 5 characters and values of 2,043: exactly 8,192.
    const fits = Object.fromEntries([1, 2, 3, 4].map((i) => [`X-H${i}x`, "v".repeat(2_043)]));
    expect(customHeadersProblem(fits)).toBeNull();
    const over = { ...fits, "X-H5x": "v" };
    expect(customHeadersProblem(over)).toMatch(/^headers: names and values together are longer than 8192/);
  });
});

describe("buildDeliveryHeaders and hop-by-hop headers", () => {
  it("does not send Content-Encoding or Proxy-* from a webhook's headers", () => {
    const headers = buildDeliveryHeaders(
      input({ custom: { "Content-Encoding": "gzip", "Proxy-Authorization": "Basic eA==", "X-Team": "a" } }),
    );
    expect(header(headers, "content-encoding")).toBeUndefined();
    expect(header(headers, "proxy-authorization")).toBeUndefined();
    expect(header(headers, "x-team")).toBe("a");
  });
});
