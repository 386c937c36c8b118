import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { verifySignature } from "@hookyard/core";
import { manifestPush, type Receiver, startReceiver } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type ApiResponse, DISTRIBUTION_V1, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

const VALID = { name: "ci", url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"], repository: "acme/web" };
const SECRET_RULE = /^secret: must be "whsec_" followed by base64 of 24 to 64 bytes, or 24 to 256 visible ASCII/;

/** The answer is the contract's error shape with this status and code, and its message matches. */
function expectError(res: ApiResponse, status: number, code: string, message: RegExp, what = "") {
  expect(res.status, what).toBe(status);
  expect(res.json?.error?.code, what).toBe(code);
  expect(res.json.error.message, what).toMatch(message);
}

async function expectNoWebhooks(hookyard: TestHookyard) {
  const list = await hookyard.request("GET", "/api/v1/webhooks");
  expect(list.status).toBe(200);
  expect(list.json.items).toEqual([]);
}

/** Sends `head` and then `body` on a raw socket, never the rest of what it promised; resolves with
 * what the server answered and when it closed the connection. */
function stall(port: number, head: string, body: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, "127.0.0.1", () => socket.write(head + body));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", () => {}); // a reset after the 408 is fine; "close" follows
    socket.on("close", () => resolve({ answer, closedAfterMs: performance.now() - started }));
    // The test's own guard, well beyond the limit asserted below.
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the stalled connection open for 20 s; it answered ${JSON.stringify(answer)}`));
    }, 20_000).unref();
  });
}

describe("webhook input a hostile client sends is refused with 4xx, and nothing is created", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const create = (body: unknown) => hookyard.request("POST", "/api/v1/webhooks", { body });

  it.each([
    ["whsec_ with no base64 (was signed with an empty key)", "whsec_!!!!!!!!!!!!!!!!"],
    ["whsec_ with junk inside the base64", "whsec_MfKQ9r8GKYqrTwjU!!PD8ILPZIo2LaLaSw"],
    ["whsec_ with base64 of 16 bytes", `whsec_${randomBytes(16).toString("base64")}`],
    ["whsec_ with base64 of 65 bytes", `whsec_${randomBytes(65).toString("base64")}`],
    ["whsec_ without its padding", `whsec_${randomBytes(32).toString("base64").replace(/=+$/, "")}`],
    ["a one-byte secret", "k"],
    ["16 spaces", " ".repeat(16)],
    ["23 characters", "abcdefghijklmnopqrstuvw"],
    ["one character repeated", "x".repeat(40)],
    ["spaces inside", "correct horse battery staple"],
    ["a newline inside", "correct-horse\nbattery-staple"],
  ])("refuses the secret %s, naming secret", async (_why, secret) => {
    expectError(await create({ ...VALID, secret }), 400, "invalid_request", SECRET_RULE);
    await expectNoWebhooks(hookyard);
  });

  it.each([
    ["CR", "platform\rX-Evil: 1"],
    ["LF", "platform\nX-Evil: 1"],
    ["CRLF", "platform\r\nX-Evil: 1"],
    ["ESC", "platform\u001b[31m"],
    ["DEL", "platform\u007f"],
  ])("refuses a header value with %s, naming headers and the header", async (_why, value) => {
    expectError(
      await create({ ...VALID, headers: { "X-Team": value } }),
      400,
      "invalid_request",
      /^headers: the value of X-Team may hold only visible ASCII/,
    );
    await expectNoWebhooks(hookyard);
  });

  it("refuses a header value with NUL, naming headers", async () => {
    expectError(await create({ ...VALID, headers: { "X-Team": "a\u0000b" } }), 400, "invalid_request", /^headers/);
    await expectNoWebhooks(hookyard);
  });

  it.each(["Content-Encoding", "content-encoding", "Transfer-Encoding", "Connection", "Proxy-Authorization", "Host"])(
    "refuses the header %s, which is not the webhook's to set",
    async (name) => {
      expectError(
        await create({ ...VALID, headers: { [name]: "gzip" } }),
        400,
        "invalid_request",
        new RegExp(`^headers: ${name} is set by Hookyard and cannot be overridden`),
      );
      await expectNoWebhooks(hookyard);
    },
  );

  it("refuses too many headers, too long a value, and too much in all", async () => {
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`X-H${i}`, "v"]));
    expectError(await create({ ...VALID, headers: many }), 400, "invalid_request", /^headers: at most 30 headers/);
    expectError(
      await create({ ...VALID, headers: { "X-Big": "v".repeat(2_049) } }),
      400,
      "invalid_request",
      /^headers: the value of X-Big is longer than 2048/,
    );
    const big = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`X-Big-${i}`, "v".repeat(2_000)]));
    expectError(
      await create({ ...VALID, headers: big }),
      400,
      "invalid_request",
      /^headers: names and values together are longer than 8192/,
    );
    await expectNoWebhooks(hookyard);
  });

  it.each(["X Team", "X-Team:", "X_Team", "__proto__"])("refuses the header name %j", async (name) => {
    const res = await create({ ...VALID, headers: JSON.parse(`{${JSON.stringify(name)}: "a"}`) });
    expectError(res, 400, "invalid_request", new RegExp(`^headers: ${JSON.stringify(name)} is not a header name`));
    await expectNoWebhooks(hookyard);
  });

  it("refuses a header given twice in different cases", async () => {
    expectError(
      await create({ ...VALID, headers: { "X-Team": "a", "x-team": "b" } }),
      400,
      "invalid_request",
      /^headers: x-team is given twice/,
    );
    await expectNoWebhooks(hookyard);
  });

  it.each(["http://user:pass@127.0.0.1:9/hook", "http://user@127.0.0.1:9/hook", "https://:token@example.com/hook"])(
    "refuses the URL with credentials %s, pointing at a header",
    async (url) => {
      const res = await create({ ...VALID, url });
      expectError(
        res,
        400,
        "invalid_request",
        /^url: must not hold credentials; send them in a header \(headers: \{"Authorization": \.\.\.\}\)$/,
      );
      expect(JSON.stringify(res.json)).not.toContain("pass");
      await expectNoWebhooks(hookyard);
    },
  );

  it.each([
    ["a fragment", "http://127.0.0.1:9/hook#section", /^url: must not have a fragment/],
    ["an empty fragment", "http://127.0.0.1:9/hook#", /^url: must not have a fragment/],
    ["a space", "http://127.0.0.1:9/ho ok", /^url: must not hold spaces or control/],
    ["a control character", "http://127.0.0.1:9/ho\u0001ok", /^url: must not hold spaces or control/],
  ])("refuses a URL with %s", async (_why, url, message) => {
    expectError(await create({ ...VALID, url }), 400, "invalid_request", message);
    await expectNoWebhooks(hookyard);
  });

  it.each([13, 25])("answers a %i-star pattern (it matches no type) instead of blocking the API", async (stars) => {
    // As a RegExp, 13 stars blocked the event loop for 12.7 s; 25 would block it for good, and this
    // test with it (the API runs in the test's process).
    const res = await create({ ...VALID, events: [`${"*".repeat(stars)}Z`] });
    expectError(res, 400, "invalid_request", new RegExp(`^events: "\\*{${stars}}Z" matches no event type`));
    expect((await hookyard.request("GET", "/healthz", { token: null })).status).toBe(200);
    await expectNoWebhooks(hookyard);
  });

  it("refuses a 60,000-character pattern, and more than 50 patterns, naming events", async () => {
    const long = await create({ ...VALID, events: ["*".repeat(60_000)] });
    expectError(long, 400, "invalid_request", /^events\[0\]: a pattern may be at most 100 characters long$/);
    const many = await create({ ...VALID, events: Array(51).fill("TAG_PUSH") });
    expectError(many, 400, "invalid_request", /^events: /);
    await expectNoWebhooks(hookyard);
  });

  it("answers 415 for a body that is not JSON, with or without a Content-Type", async () => {
    const text = await hookyard.request("POST", "/api/v1/webhooks", {
      rawBody: JSON.stringify(VALID),
      contentType: "text/plain",
    });
    expectError(text, 415, "unsupported_media_type", /Content-Type must be application\/json/);
    const form = await hookyard.request("POST", "/api/v1/webhooks", {
      rawBody: "name=ci",
      contentType: "application/x-www-form-urlencoded",
    });
    expectError(form, 415, "unsupported_media_type", /Content-Type/);
    // fetch adds no Content-Type to a body of bytes.
    const bare = await fetch(`${hookyard.baseUrl}/api/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: new TextEncoder().encode(JSON.stringify(VALID)),
    });
    expect(bare.status).toBe(415);
    const bareError = (await bare.json()) as { error: { code: string; message: string } };
    expect(bareError.error.code).toBe("unsupported_media_type");
    expect(bareError.error.message).toMatch(/Content-Type/);
    await expectNoWebhooks(hookyard);
  });

  it("answers 400 for a body that says gzip and is not", async () => {
    const res = await hookyard.request("POST", "/api/v1/webhooks", {
      rawBody: JSON.stringify(VALID),
      headers: { "content-encoding": "gzip" },
    });
    expectError(res, 400, "bad_request_body", /request body could not be decoded as its Content-Encoding says/);
    const deflate = await hookyard.request("POST", "/api/v1/webhooks", {
      rawBody: JSON.stringify(VALID),
      headers: { "content-encoding": "deflate" },
    });
    expectError(deflate, 400, "bad_request_body", /Content-Encoding/);
    await expectNoWebhooks(hookyard);
  });

  it("answers 400 naming the parameter for malformed percent-encoding in a path id", async () => {
    for (const path of ["/api/v1/webhooks/%ZZ", "/api/v1/webhooks/%ZZ/deliveries", "/api/v1/deliveries/%ZZ"]) {
      expectError(await hookyard.request("GET", path), 400, "invalid_path", /^id: .*percent-encoding/, path);
    }
    // Authentication still comes first.
    const anonymous = await hookyard.request("GET", "/api/v1/deliveries/%ZZ", { token: null });
    expectError(anonymous, 401, "unauthorized", /token/);
  });

  it.each([
    ["NUL", "%00"],
    ["NUL inside an id", `wh_01${"%00".repeat(24)}`],
    ["an encoded slash", "wh_..%2F..%2Fx"],
    ["an id of the wrong kind", "dlv_01m8mbr4the8qt908k5v050b4w"],
    ["upper case", "WH_01M8MBR4THE8QT908K5V050B4W"],
    ["a letter outside TypeID's alphabet", "wh_01m8mbr4the8qt908k5v050bu"],
    ["a first character above 7", "wh_81m8mbr4the8qt908k5v050b4w"],
    ["a UUID", "0191e2a4-6a2b-7c3d-8e4f-5a6b7c8d9e0f"],
    ["10,000 characters", "a".repeat(10_000)],
    ["right-to-left override", "wh_%E2%80%AE"],
  ])("answers 404 for a webhook id with %s", async (_why, id) => {
    const res = await hookyard.request("GET", `/api/v1/webhooks/${id}`);
    expectError(res, 404, "not_found", /^webhook not found$/);
    const deliveries = await hookyard.request("GET", `/api/v1/webhooks/${id}/deliveries`);
    expectError(deliveries, 404, "not_found", /^webhook not found$/);
  });

  it.each([
    ["NUL", "%00"],
    ["a webhook's id", "wh_01m8mbr4the8qt908k5v050b4w"],
  ])("answers 404 for a delivery id with %s", async (_why, id) => {
    expectError(await hookyard.request("GET", `/api/v1/deliveries/${id}`), 404, "not_found", /^delivery not found$/);
  });
});

describe("the ingest routes and a body that says gzip and is not", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  it("answers 400 and queues nothing", async () => {
    const res = await hookyard.request("POST", "/api/v1/ingest/distribution", {
      rawBody: JSON.stringify(manifestPush({ repository: "acme/web", tag: "1.0" })),
      contentType: DISTRIBUTION_V1,
      token: INGEST_TOKEN,
      headers: { "content-encoding": "gzip" },
    });
    expectError(res, 400, "bad_request_body", /request body could not be decoded as its Content-Encoding says/);
    expect(await hookyard.queuedEventJobs()).toBe(0);
  });

  it("takes the same envelope when it is gzip", async () => {
    const res = await hookyard.request("POST", "/api/v1/ingest/distribution", {
      rawBody: gzipSync(JSON.stringify(manifestPush({ repository: "acme/web", tag: "1.0" }))),
      contentType: DISTRIBUTION_V1,
      token: INGEST_TOKEN,
      headers: { "content-encoding": "gzip" },
    });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(2);
  });
});

describe("webhook targets that embed an IPv4 address in IPv6", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_ALLOW_PRIVATE_TARGETS: "false" } });
  });
  afterAll(() => hookyard.close());

  it.each([
    "http://[::127.0.0.1]/hook",
    "http://[::7f00:1]:8080/hook",
    "http://[::ffff:7f00:1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/hook",
    "http://[::ffff:0:127.0.0.1]/hook",
    "http://[64:ff9b::169.254.169.254]/latest/meta-data/",
    "http://[64:ff9b:1::a00:1]/hook",
    "http://[2002:7f00:1::1]/hook",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",
    "http://[::ffff:93.184.216.34]/hook",
  ])("refuses %s when private targets are not allowed", async (url) => {
    const res = await hookyard.request("POST", "/api/v1/webhooks", { body: { ...VALID, url } });
    expectError(res, 400, "invalid_request", /^url: .*HOOKYARD_ALLOW_PRIVATE_TARGETS/);
    await expectNoWebhooks(hookyard);
  });

  it("still takes a public IPv4 or IPv6 literal", async () => {
    for (const url of ["http://93.184.216.34/hook", "https://[2606:2800:220:1::1]/hook"]) {
      const res = await hookyard.request("POST", "/api/v1/webhooks", { body: { ...VALID, url } });
      expect(res.status, url).toBe(201);
    }
  });
});

describe("what a valid webhook keeps", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
  });
  afterAll(async () => {
    await receiver.close();
    await hookyard.close();
  });

  it("masks every credential-like header when shown, and still sends it", async () => {
    const headers = {
      "X-Password": "hunter2-password",
      "X-Auth": "auth-value-1",
      "X-Session": "session-value-2",
      "Api-Key": "key-value-3",
      "X-Credential": "cred-value-4",
      "X-Team": "platform\tops",
    };
    const res = await hookyard.request("POST", "/api/v1/webhooks", {
      body: { ...VALID, url: `${receiver.url}/masked`, headers },
    });
    expect(res.status).toBe(201);
    const expected = {
      "x-password": "[redacted]",
      "x-auth": "[redacted]",
      "x-session": "[redacted]",
      "api-key": "[redacted]",
      "x-credential": "[redacted]",
      "x-team": "platform\tops",
    };
    expect(res.json.headers).toEqual(expected);
    const fetched = await hookyard.request("GET", `/api/v1/webhooks/${res.json.id}`);
    expect(fetched.json.headers).toEqual(expected);
    const listed = await hookyard.request("GET", "/api/v1/webhooks");
    expect(JSON.stringify(listed.json)).not.toContain("hunter2");

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "1.0" }));
    const [delivery] = await hookyard.settledDeliveries(res.json.id, 1);
    const received = receiver.requests.find((r) => r.path === "/masked");
    expect(received?.headers["x-password"]).toBe("hunter2-password");
    expect(received?.headers["x-auth"]).toBe("auth-value-1");
    // The attempt keeps what was sent, credentials masked.
    const detail = await hookyard.request("GET", `/api/v1/deliveries/${delivery?.id}`);
    expect(detail.json.attempts[0].requestHeaders["x-password"]).toBe("[redacted]");
    expect(detail.json.attempts[0].requestHeaders["x-session"]).toBe("[redacted]");
    expect(detail.json.attempts[0].requestHeaders["x-team"]).toBe("platform\tops");
    expect(JSON.stringify(detail.json)).not.toContain("hunter2");
  });

  it.each([
    ["the Standard Webhooks example (24 bytes)", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    ["whsec_ of 32 bytes", `whsec_${randomBytes(32).toString("base64")}`],
    ["whsec_ of 64 bytes", `whsec_${randomBytes(64).toString("base64")}`],
    ["a raw secret of 32 hex characters", randomBytes(16).toString("hex")],
    ["a raw secret with punctuation", "N0t-so-s1mple_but:visible!ASCII~"],
  ])("takes %s, and its deliveries verify", async (why, secret) => {
    const path = `/signed-${randomBytes(4).toString("hex")}`;
    const res = await hookyard.request("POST", "/api/v1/webhooks", {
      body: { ...VALID, repository: "acme/signed", url: `${receiver.url}${path}`, secret },
      contentType: "application/json; charset=utf-8",
    });
    expect(res.status, why).toBe(201);
    expect(res.json.hasSecret).toBe(true);
    expect(JSON.stringify(res.json)).not.toContain(secret);

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/signed", tag: path }));
    await hookyard.settledDeliveries(res.json.id, 1);
    const received = receiver.requests.find((r) => r.path === path);
    const h = received?.headers ?? {};
    const valid = verifySignature(
      secret,
      String(h["webhook-id"]),
      Number(h["webhook-timestamp"]),
      received?.body ?? "",
      String(h["webhook-signature"]),
    );
    expect(valid).toBe(true);
  });

  it("takes runs of stars in a pattern as one star", async () => {
    const res = await hookyard.request("POST", "/api/v1/webhooks", { body: { ...VALID, events: ["***TAG_***"] } });
    expect(res.status).toBe(201);
    expect(res.json.events).toEqual(["TAG_PUSH", "TAG_PULL", "TAG_DELETE"]);
  });

  it("takes a gzip body", async () => {
    const res = await hookyard.request("POST", "/api/v1/webhooks", {
      rawBody: gzipSync(JSON.stringify({ ...VALID, name: "zipped" })),
      headers: { "content-encoding": "gzip" },
    });
    expect(res.status).toBe(201);
    expect(res.json.name).toBe("zipped");
  });
});

describe("a client that promises more than it sends", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_REQUEST_TIMEOUT: "1s" } });
  });
  afterAll(() => hookyard.close());

  const head = (path: string, token: string, contentType: string) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
    `Content-Type: ${contentType}\r\nContent-Length: 100\r\n\r\n`;

  it("is answered 408 and cut off after HOOKYARD_REQUEST_TIMEOUT on /api/v1/webhooks", async () => {
    const { answer, closedAfterMs } = await stall(
      hookyard.api.port,
      head("/api/v1/webhooks", ADMIN_TOKEN, "application/json"),
      '{"name":"x',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(8_000);
    await expectNoWebhooks(hookyard);
  });

  it("is answered 408 and cut off on the ingest routes too", async () => {
    const { answer, closedAfterMs } = await stall(
      hookyard.api.port,
      head("/api/v1/ingest/distribution", INGEST_TOKEN, DISTRIBUTION_V1),
      '{"events":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(8_000);
    expect(await hookyard.queuedEventJobs()).toBe(0);
  });

  it("is cut off when it never finishes its headers", async () => {
    const { answer, closedAfterMs } = await stall(
      hookyard.api.port,
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
      "",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).toBeLessThan(8_000);
  });
});
