import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, TestHookyard } from "./support/hookyard.js";

/*
 * Credentials a browser attaches by itself (Basic, cached once /admin/queues asked for it, and the
 * web UI's session cookie) must not let another site's page change anything (issue "Trust": an
 * empty-body cross-site POST to /api/v1/users/:id/tokens with cached Basic credentials made a
 * token). Basic is taken only where DTR scripts and Bull Board need it; a write made with Basic or
 * the cookie needs a JSON Content-Type (which no page can send to another site without CORS, which
 * Hookyard never grants), and an Origin, when there is one, of Hookyard's own.
 */

const PUBLIC_URL = "https://hookyard.example";
const EVIL = "https://evil.example";

describe("credentials a browser sends by itself", () => {
  let hookyard: TestHookyard;
  let alice: { id: string; token: string; basic: string };
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_PUBLIC_URL: PUBLIC_URL } });
    const created = await hookyard.request("POST", "/api/v1/users", { body: { name: "alice" } });
    await hookyard.request("POST", `/api/v1/users/${created.json.id}/grants`, {
      body: { repository: "acme/web", role: "admin" },
    });
    alice = {
      id: created.json.id,
      token: created.json.token,
      basic: `Basic ${Buffer.from(`alice:${created.json.token}`).toString("base64")}`,
    };
  });
  afterAll(() => hookyard?.close());

  const admin = async () => {
    const me = await hookyard.request("GET", "/api/v1/me");
    return {
      id: me.json.id as string,
      basic: `Basic ${Buffer.from(`admin:${hookyard.env.HOOKYARD_ADMIN_TOKEN}`).toString("base64")}`,
    };
  };

  /** A request as a browser would send it: no bearer token, these headers, maybe a raw body. */
  const raw = (method: string, path: string, headers: Record<string, string>, body?: string): Promise<ApiResponse> =>
    hookyard.request(method, path, {
      token: null,
      headers,
      ...(body === undefined ? {} : { rawBody: body, contentType: headers["content-type"] ?? "text/plain" }),
    });

  const webhook = (name: string) => ({ type: "TAG_PUSH", key: "acme/web", endpoint: `http://127.0.0.1:9/${name}` });

  it("refuses Basic outside /api/v0 and /admin/queues, saying to use Bearer: the reported cross-site POST makes no token", async () => {
    const { id, basic } = await admin();
    const before = await hookyard.db.apiToken.count();
    const forged = await raw("POST", `/api/v1/users/${id}/tokens`, { authorization: basic, origin: EVIL });
    expect(forged.status).toBe(401);
    expect(forged.json.error.message).toContain("Bearer");
    const plain = await raw("POST", `/api/v1/users/${id}/tokens`, { authorization: basic });
    expect(plain.status).toBe(401);
    expect(await hookyard.db.apiToken.count()).toBe(before);
    for (const path of ["/api/v1/me", "/api/v1/webhooks", "/metrics"]) {
      const read = await raw("GET", path, { authorization: basic });
      expect(read.status, path).toBe(401);
      expect(read.json.error.message, path).toContain("Authorization: Bearer");
    }
    // Still taken where it is needed.
    expect((await raw("GET", "/api/v0/webhooks", { authorization: alice.basic })).status).toBe(200);
    expect((await raw("GET", "/admin/queues/api/queues", { authorization: basic })).status).toBe(200);
  });

  it("takes a write made with Basic only with a JSON Content-Type (415 naming it), even with an empty body", async () => {
    const form = await raw(
      "POST",
      "/api/v0/webhooks",
      { authorization: alice.basic, "content-type": "text/plain" },
      JSON.stringify(webhook("form")),
    );
    expect(form.status).toBe(415);
    expect(form.json.error.message).toContain("Content-Type");
    const empty = await raw("POST", "/api/v0/webhooks/test", { authorization: alice.basic });
    expect(empty.status).toBe(415);
    expect(empty.json.error.message).toContain("Content-Type");
    const board = await raw("POST", "/admin/queues/api/queues/events/add", { authorization: (await admin()).basic });
    expect(board.status).toBe(415);

    const json = await raw(
      "POST",
      "/api/v0/webhooks",
      { authorization: alice.basic, "content-type": "application/json" },
      JSON.stringify(webhook("json")),
    );
    expect(json.status).toBe(201);
    // DTR scripts delete with `curl -u -X DELETE`, and Bull Board's buttons send PUT without a body:
    // methods no page can send to another site without CORS, so they need no Content-Type.
    expect((await raw("DELETE", `/api/v0/webhooks/${json.json.id}`, { authorization: alice.basic })).status).toBe(204);
    expect((await raw("PUT", "/admin/queues/api/queues/resume", { authorization: (await admin()).basic })).status).toBe(
      200,
    );
  });

  it("refuses a write made with Basic from another origin (403 cross_origin), and takes Hookyard's own", async () => {
    const headers = { authorization: alice.basic, "content-type": "application/json" };
    const body = JSON.stringify(webhook("origin"));
    const foreign = await raw("POST", "/api/v0/webhooks", { ...headers, origin: EVIL }, body);
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe("cross_origin");
    expect((await raw("POST", "/api/v0/webhooks", { ...headers, origin: "null" }, body)).status).toBe(403);
    const board = await raw("PUT", "/admin/queues/api/queues/resume", {
      authorization: (await admin()).basic,
      origin: EVIL,
    });
    expect(board.status).toBe(403);
    expect(board.json.error.code).toBe("cross_origin");

    expect((await raw("POST", "/api/v0/webhooks", { ...headers, origin: PUBLIC_URL }, body)).status).toBe(201);
    const own = await raw(
      "POST",
      "/api/v0/webhooks",
      { ...headers, origin: hookyard.baseUrl },
      JSON.stringify(webhook("host")),
    );
    expect(own.status).toBe(201);
    // Reads are not writes.
    expect((await raw("GET", "/api/v0/webhooks", { authorization: alice.basic, origin: EVIL })).status).toBe(200);
  });

  it("asks the same of a write made with the session cookie", async () => {
    const signIn = await hookyard.request("POST", "/api/v1/session", { token: null, body: { token: alice.token } });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.getSetCookie()[0] as string).split(";")[0] as string;
    const session = { cookie, "x-csrf-token": signIn.json.csrfToken as string };
    const body = JSON.stringify({
      name: "ui",
      url: "http://127.0.0.1:9/ui",
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });

    const form = await raw("POST", "/api/v1/webhooks", { ...session, "content-type": "text/plain" }, body);
    expect(form.status).toBe(415);
    expect(form.json.error.message).toContain("Content-Type");
    const signOut = await raw("DELETE", "/api/v1/session", session);
    expect(signOut.status).toBe(415);
    const json = { ...session, "content-type": "application/json" };
    const foreign = await raw("POST", "/api/v1/webhooks", { ...json, origin: EVIL }, body);
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe("cross_origin");
    expect((await raw("POST", "/api/v1/webhooks", { ...json, origin: PUBLIC_URL }, body)).status).toBe(201);
    expect((await raw("DELETE", "/api/v1/session", json)).status).toBe(204);
  });

  it("leaves bearer tokens alone: a browser never attaches one by itself", async () => {
    const made = await hookyard.request("POST", `/api/v1/users/${alice.id}/tokens`, { headers: { origin: EVIL } });
    expect(made.status).toBe(201);
    const res = await hookyard.request("POST", "/api/v0/webhooks", {
      token: alice.token,
      headers: { origin: EVIL },
      body: webhook("bearer"),
    });
    expect(res.status).toBe(201);
  });
});
