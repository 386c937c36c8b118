import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/*
 * Failed authentications are limited per client address (issue "Trust": 300 wrong sign-ins in
 * 1.7 s met no limit). Each address below is a loopback address of its own (127.0.0.0/8 is all
 * loopback on Linux), so that one limited address can be told from another.
 */

const LIMIT = 5;
const WINDOW_S = 3;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
}

/** A request sent from `from`, one of the loopback addresses. */
function send(
  hookyard: TestHookyard,
  from: string,
  method: string,
  path: string,
  options: { authorization?: string; body?: unknown; contentType?: string } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.authorization) headers.authorization = options.authorization;
  if (body !== undefined) headers["content-type"] = options.contentType ?? "application/json";
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: hookyard.api.port, localAddress: from, method, path, headers, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : null }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const bearer = (token: string) => `Bearer ${token}`;
const basic = (name: string, token: string) => `Basic ${Buffer.from(`${name}:${token}`).toString("base64")}`;
const WRONG = "not-anyones-token-0123456789-secret";

function expectLimited(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.json.error.code).toBe("rate_limited");
  const retryAfter = Number(answer.headers["retry-after"]);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_S);
}

describe("failed authentications, limited per client address", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({
      worker: false,
      env: {
        HOOKYARD_AUTH_FAILURE_LIMIT: String(LIMIT),
        HOOKYARD_AUTH_FAILURE_WINDOW: `${WINDOW_S}s`,
        LOG_LEVEL: "warn",
      },
    });
  });
  afterAll(() => hookyard?.close());

  const limitedLines = (address: string) =>
    hookyard.logLines.filter(
      (line) => line.level === "warn" && String(line.message).includes("limited") && line.clientAddress === address,
    );

  it("past the limit of bad tokens, answers 429 with Retry-After, a good token too; other addresses go on; the window passed, it works again", async () => {
    const me = (from: string, token: string) =>
      send(hookyard, from, "GET", "/api/v1/me", { authorization: bearer(token) });
    // Successes never count.
    for (let i = 0; i < LIMIT * 2; i++) expect((await me("127.0.0.1", ADMIN_TOKEN)).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await me("127.0.0.1", WRONG)).status).toBe(401);

    const limited = await me("127.0.0.1", WRONG);
    expectLimited(limited);
    expectLimited(await me("127.0.0.1", ADMIN_TOKEN));
    expect((await me("127.0.0.2", ADMIN_TOKEN)).status).toBe(200);
    expect((await me("127.0.0.2", WRONG)).status).toBe(401);

    // One warning for the address, when it started being limited; no token in any log line.
    expect(limitedLines("127.0.0.1")).toHaveLength(1);
    expect(limitedLines("127.0.0.2")).toHaveLength(0);
    expect(JSON.stringify(hookyard.logLines)).not.toContain(WRONG);

    await new Promise((resolve) => setTimeout(resolve, Number(limited.headers["retry-after"]) * 1000 + 200));
    expect((await me("127.0.0.1", ADMIN_TOKEN)).status).toBe(200);
    expect((await me("127.0.0.1", WRONG)).status).toBe(401);
  });

  it("counts failed web sign-ins", async () => {
    const signIn = (token: string) => send(hookyard, "127.0.0.3", "POST", "/api/v1/session", { body: { token } });
    for (let i = 0; i < LIMIT; i++) expect((await signIn(WRONG)).status).toBe(401);
    const refused = await signIn(ADMIN_TOKEN);
    expectLimited(refused);
    expect(refused.headers["set-cookie"]).toBeUndefined();
    expect(limitedLines("127.0.0.3")).toHaveLength(1);
  });

  it("counts bad ingest tokens, in the header and in Quay's path", async () => {
    const publish = (token: string) =>
      send(hookyard, "127.0.0.4", "POST", "/api/v1/events", {
        authorization: bearer(token),
        body: { type: "TAG_PUSH", repository: "acme/web", tag: "v1" },
      });
    expect((await publish(INGEST_TOKEN)).status).toBe(202);
    for (let i = 0; i < LIMIT - 1; i++) expect((await publish(WRONG)).status).toBe(401);
    const quay = await send(hookyard, "127.0.0.4", "POST", `/api/v1/ingest/quay/${WRONG}`, { body: {} });
    expect(quay.status).toBe(401);
    expectLimited(await publish(INGEST_TOKEN));
    expectLimited(await send(hookyard, "127.0.0.4", "POST", `/api/v1/ingest/quay/${INGEST_TOKEN}`, { body: {} }));
  });

  it("counts bad Basic credentials of DTR scripts", async () => {
    const v0 = (token: string) =>
      send(hookyard, "127.0.0.5", "GET", "/api/v0/webhooks", { authorization: basic("admin", token) });
    for (let i = 0; i < LIMIT; i++) expect((await v0(WRONG)).status).toBe(401);
    expectLimited(await v0(ADMIN_TOKEN));
  });

  it("does not count requests that present no credentials", async () => {
    for (let i = 0; i < LIMIT * 2; i++) {
      expect((await send(hookyard, "127.0.0.6", "GET", "/api/v1/me")).status).toBe(401);
      expect((await send(hookyard, "127.0.0.6", "POST", "/api/v1/events", { body: {} })).status).toBe(401);
    }
    expect(
      (await send(hookyard, "127.0.0.6", "GET", "/api/v1/me", { authorization: bearer(ADMIN_TOKEN) })).status,
    ).toBe(200);
  });
});
