import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manifestPush, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";
import { userWithGrants } from "./support/users.js";

/*
 * Issue 11: the web UI signs in with an API token exchanged for an HttpOnly, SameSite cookie, and
 * every write it makes with that cookie carries the session's CSRF token.
 */

interface Answer {
  status: number;
  json: any;
  setCookie: string[];
}

describe("web UI sessions", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_SESSION_TTL: "3s" } });
  });
  afterAll(() => hookyard?.close());

  async function call(
    method: string,
    path: string,
    options: { cookie?: string; csrf?: string; body?: unknown } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers["x-csrf-token"] = options.csrf;
    // As the web UI sends every write: JSON, a body or not (tests/cross-site.test.ts: 415 otherwise).
    if (options.body !== undefined || !["GET", "HEAD"].includes(method)) headers["content-type"] = "application/json";
    const res = await fetch(`${hookyard.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, setCookie: res.headers.getSetCookie() };
  }

  async function signIn(token: string) {
    const res = await call("POST", "/api/v1/session", { body: { token } });
    expect(res.status).toBe(200);
    const [setCookie] = res.setCookie;
    const cookie = (setCookie as string).split(";")[0] as string;
    return { res, cookie, csrf: res.json.csrfToken as string };
  }

  it("exchanges a token for an HttpOnly, SameSite=Strict cookie that is not the token, and a CSRF token", async () => {
    const { res, cookie, csrf } = await signIn(ADMIN_TOKEN);
    const [setCookie] = res.setCookie;
    expect(setCookie).toMatch(/^hookyard_session=[A-Za-z0-9_-]{43}; Path=\/; Expires=.+; HttpOnly; SameSite=Strict$/);
    expect(setCookie).not.toContain(ADMIN_TOKEN);
    expect(res.json).toMatchObject({ user: { name: "admin", admin: true }, csrfToken: expect.any(String) });
    expect(JSON.stringify(res.json)).not.toContain(ADMIN_TOKEN);
    // Only the cookie value's hash is stored.
    const value = cookie.split("=")[1] as string;
    const rows = await hookyard.db.session.findMany();
    expect(rows.some((row) => row.tokenHash === value)).toBe(false);

    const again = await call("GET", "/api/v1/session", { cookie });
    expect(again.status).toBe(200);
    expect(again.json.csrfToken).toBe(csrf);
    expect((await call("GET", "/api/v1/webhooks", { cookie })).status).toBe(200);
  });

  it("refuses a bad token (401) and a missing one (400 naming token), setting no cookie", async () => {
    const bad = await call("POST", "/api/v1/session", { body: { token: "not-a-token-of-anyone" } });
    expect(bad.status).toBe(401);
    expect(bad.setCookie).toEqual([]);
    const missing = await call("POST", "/api/v1/session", { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/^token: /);
    expect((await call("GET", "/api/v1/session")).status).toBe(401);
  });

  it("takes a write made with the cookie only with the session's CSRF token, changing nothing otherwise", async () => {
    const { cookie, csrf } = await signIn(ADMIN_TOKEN);
    const body = { name: "ui", url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"], repository: "acme/ui" };
    const before = await hookyard.db.webhook.count();
    for (const given of [undefined, "wrong", `${csrf}x`]) {
      const refused = await call("POST", "/api/v1/webhooks", { cookie, body, ...(given ? { csrf: given } : {}) });
      expect(refused.status).toBe(403);
      expect(refused.json.error.code).toBe("csrf");
    }
    expect(await hookyard.db.webhook.count()).toBe(before);
    // Another session's CSRF token does not fit this one.
    const other = await signIn(ADMIN_TOKEN);
    expect((await call("POST", "/api/v1/webhooks", { cookie, body, csrf: other.csrf })).status).toBe(403);

    const created = await call("POST", "/api/v1/webhooks", { cookie, body, csrf });
    expect(created.status).toBe(201);
    // A script's bearer token needs no CSRF token, cookie or not.
    const scripted = await hookyard.request("POST", "/api/v1/webhooks", { body: { ...body, name: "script" } });
    expect(scripted.status).toBe(201);
  });

  it("signs out: the cookie is cleared and the session is gone, even for a copy of the cookie", async () => {
    const { cookie, csrf } = await signIn(ADMIN_TOKEN);
    expect((await call("DELETE", "/api/v1/session", { cookie })).status).toBe(403);
    const out = await call("DELETE", "/api/v1/session", { cookie, csrf });
    expect(out.status).toBe(204);
    expect(out.setCookie[0]).toMatch(/^hookyard_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expect((await call("GET", "/api/v1/session", { cookie })).status).toBe(401);
    expect((await call("GET", "/api/v1/webhooks", { cookie })).status).toBe(401);
  });

  it("ends with HOOKYARD_SESSION_TTL, and when its API token is revoked", async () => {
    const { cookie } = await signIn(ADMIN_TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    const expired = await call("GET", "/api/v1/webhooks", { cookie });
    expect(expired.status).toBe(401);
    expect(expired.json.error.message).toContain("sign in again");

    const created = await hookyard.request("POST", "/api/v1/users", { body: { name: "ui-user" } });
    const user = created.json as { id: string; token: string };
    const session = await signIn(user.token);
    const tokens = await hookyard.request("GET", `/api/v1/users/${user.id}/tokens`);
    const [token] = tokens.json.items as Array<{ id: string }>;
    expect((await hookyard.request("DELETE", `/api/v1/users/${user.id}/tokens/${token?.id}`)).status).toBe(204);
    expect((await call("GET", "/api/v1/session", { cookie: session.cookie })).status).toBe(401);
  });
});

describe("GET /api/v1/repositories", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start();
    for (const repository of ["acme/web", "acme/api", "other/tool"]) {
      expect((await hookyard.ingestDistribution(manifestPush({ repository, tag: "v1" }))).status).toBe(202);
    }
    await hookyard.createWebhook({
      name: "w",
      url: "http://127.0.0.1:9/h",
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    await waitFor(async () => (await hookyard.db.event.count()) >= 3);
  });
  afterAll(() => hookyard?.close());

  const repositories = async (token: string, query = "") => {
    const res = await hookyard.request("GET", `/api/v1/repositories${query}`, { token });
    expect(res.status).toBe(200);
    return res.json.items as Array<{ repository: string; webhooks: number; lastEventAt: string | null }>;
  };

  it("lists every repository seen for a global admin, with its webhooks and last event", async () => {
    const items = await repositories(ADMIN_TOKEN);
    expect(items.map((i) => i.repository)).toEqual(["acme/api", "acme/web", "other/tool"]);
    expect(items.find((i) => i.repository === "acme/web")).toMatchObject({
      webhooks: 1,
      lastEventAt: expect.any(String),
    });
    expect((await repositories(ADMIN_TOKEN, "?search=WE")).map((i) => i.repository)).toEqual(["acme/web"]);
  });

  it("lists only what a user may administer: its namespaces' and its granted repositories, even unseen ones", async () => {
    const owner = await userWithGrants(hookyard, [{ namespace: "acme" }]);
    expect((await repositories(owner)).map((i) => i.repository)).toEqual(["acme/api", "acme/web"]);
    const admin = await userWithGrants(hookyard, [{ repository: "other/tool" }, { repository: "other/new" }]);
    expect((await repositories(admin)).map((i) => i.repository)).toEqual(["other/new", "other/tool"]);
    const nobody = await userWithGrants(hookyard, []);
    expect(await repositories(nobody)).toEqual([]);
  });
});

describe("the web UI's files at /ui/", () => {
  let hookyard: TestHookyard;
  let dist: string;
  beforeAll(async () => {
    dist = await mkdtemp(join(tmpdir(), "hookyard-web-"));
    await mkdir(join(dist, "assets"));
    await writeFile(join(dist, "index.html"), "<!doctype html><title>Hookyard</title>");
    await writeFile(join(dist, "assets", "index-AbC123.js"), "console.log(1)");
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_WEB_DIST: dist } });
  });
  afterAll(async () => {
    await hookyard?.close();
    await rm(dist, { recursive: true, force: true });
  });

  it("serves hashed assets for a year, and index.html, never cached, for any page of the app", async () => {
    const asset = await fetch(`${hookyard.baseUrl}/ui/assets/index-AbC123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const page of ["/ui/", "/ui/repositories/acme/web", "/ui/deliveries/dlv_x"]) {
      const res = await fetch(`${hookyard.baseUrl}${page}`);
      expect(res.status, page).toBe(200);
      expect(await res.text()).toContain("<title>Hookyard</title>");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    }
    expect((await fetch(`${hookyard.baseUrl}/ui/assets/missing-123.js`)).status).toBe(404);
    const bare = await fetch(`${hookyard.baseUrl}/ui`, { redirect: "manual" });
    expect(bare.status).toBe(301);
    expect(bare.headers.get("location")).toBe("/ui/");
  });
});
