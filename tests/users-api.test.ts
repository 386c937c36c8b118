import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, type ApiResponse, TestHookyard } from "./support/hookyard.js";

const HOOK = { name: "ci", url: "http://127.0.0.1:9/x", events: ["TAG_PUSH"], repository: "acme/web" };
/** Well-formed ids of the right kind that name no row. */
const NO_USER = "usr_01h455vb4pex5vsknk084sn02q";
const NO_TOKEN = "tok_01h455vb4pex5vsknk084sn02q";
const NO_GRANT = "grt_01h455vb4pex5vsknk084sn02q";

/** The answer is the contract's error shape with this status and code, and its message matches. */
function expectError(res: ApiResponse, status: number, code: string, message: RegExp, what = "") {
  expect(res.status, what).toBe(status);
  expect(res.json?.error?.code, what).toBe(code);
  expect(res.json.error.message, what).toMatch(message);
}

/** Every row the users API writes, to show that a refused request changed nothing (but when a
 * token was last used: presenting it is a use, refused or not). */
async function rows(hookyard: TestHookyard) {
  const [users, tokens, grants] = await Promise.all([
    hookyard.db.user.findMany({ orderBy: { id: "asc" } }),
    hookyard.db.apiToken.findMany({ orderBy: { id: "asc" }, omit: { lastUsedAt: true } }),
    hookyard.db.grant.findMany({ orderBy: { id: "asc" } }),
  ]);
  return { users, tokens, grants };
}

describe("users, tokens and grants API", () => {
  let hookyard: TestHookyard;
  /** Every token the API handed out, none of which may reach a log line. */
  const issued: string[] = [];

  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { LOG_LEVEL: "info" } });
  });
  afterAll(() => hookyard.close());

  const call = (method: string, path: string, body?: unknown, token?: string) =>
    hookyard.request(method, path, { body, token });

  async function newUser(name: string, admin?: boolean): Promise<{ id: string; token: string }> {
    const res = await call("POST", "/api/v1/users", admin === undefined ? { name } : { name, admin });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    issued.push(res.json.token);
    return res.json;
  }

  async function grant(userId: string, body: unknown): Promise<ApiResponse> {
    return call("POST", `/api/v1/users/${userId}/grants`, body);
  }

  it("creates a user whose token works on /me and holds no admin rights", async () => {
    const res = await call("POST", "/api/v1/users", { name: "alice" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: "alice", admin: false });
    expect(res.json.id).toMatch(/^usr_/);
    expect(res.json.token).toMatch(/^hy_/);
    issued.push(res.json.token);

    const me = await call("GET", "/api/v1/me", undefined, res.json.token);
    expect(me.status).toBe(200);
    expect(me.json).toEqual({ id: res.json.id, name: "alice", admin: false, repositories: [], namespaces: [] });

    expectError(await call("POST", "/api/v1/users", { name: "mallory" }, res.json.token), 403, "forbidden", /admin/);
    expect(await hookyard.db.user.count({ where: { name: "mallory" } })).toBe(0);

    const fetched = await call("GET", `/api/v1/users/${res.json.id}`);
    expect(fetched.json).toEqual({ id: res.json.id, name: "alice", admin: false, createdAt: expect.any(String) });
    const listed = await call("GET", "/api/v1/users");
    expect(listed.json.items.map((u: { name: string }) => u.name)).toEqual(expect.arrayContaining(["admin", "alice"]));
    expect(JSON.stringify(listed.json)).not.toMatch(/token|hy_/i);
  });

  it("shows the admin who it is on /me", async () => {
    const me = await call("GET", "/api/v1/me");
    expect(me.json).toMatchObject({ name: "admin", admin: true, repositories: [], namespaces: [] });
  });

  it("gives a user further tokens; a revoked one stops at once, the others keep working", async () => {
    const user = await newUser("bob");
    const second = await call("POST", `/api/v1/users/${user.id}/tokens`);
    expect(second.status).toBe(201);
    expect(second.json.id).toMatch(/^tok_/);
    expect(second.json.token).toMatch(/^hy_/);
    expect(second.json.token).not.toBe(user.token);
    issued.push(second.json.token);
    const third = await call("POST", `/api/v1/users/${user.id}/tokens`, {});
    expect(third.status).toBe(201);
    issued.push(third.json.token);

    for (const token of [user.token, second.json.token, third.json.token]) {
      expect((await call("GET", "/api/v1/me", undefined, token)).json.name).toBe("bob");
    }
    const listed = await call("GET", `/api/v1/users/${user.id}/tokens`);
    expect(listed.status).toBe(200);
    expect(listed.json.items).toHaveLength(3);
    for (const item of listed.json.items) {
      expect(Object.keys(item).sort()).toEqual(["createdAt", "id", "lastUsedAt"]);
    }
    // Each was used just now, so each says so: what tells an operator a rotated-out token is idle.
    for (const item of listed.json.items) expect(Date.now() - Date.parse(item.lastUsedAt)).toBeLessThan(60_000);
    const unused = await call("POST", `/api/v1/users/${user.id}/tokens`);
    const afterUnused = await call("GET", `/api/v1/users/${user.id}/tokens`);
    expect(afterUnused.json.items.find((t: { id: string }) => t.id === unused.json.id).lastUsedAt).toBeNull();
    await call("DELETE", `/api/v1/users/${user.id}/tokens/${unused.json.id}`);

    expect((await call("DELETE", `/api/v1/users/${user.id}/tokens/${second.json.id}`)).status).toBe(204);
    expectError(await call("GET", "/api/v1/me", undefined, second.json.token), 401, "unauthorized", /token/);
    expect((await call("GET", "/api/v1/me", undefined, user.token)).status).toBe(200);
    expect((await call("GET", "/api/v1/me", undefined, third.json.token)).status).toBe(200);
    expect((await call("GET", `/api/v1/users/${user.id}/tokens`)).json.items).toHaveLength(2);
    expectError(
      await call("DELETE", `/api/v1/users/${user.id}/tokens/${second.json.id}`),
      404,
      "not_found",
      /^token not found/,
    );

    expect((await call("DELETE", `/api/v1/users/${user.id}`)).status).toBe(204);
    for (const token of [user.token, third.json.token]) {
      expectError(await call("GET", "/api/v1/me", undefined, token), 401, "unauthorized", /token/);
    }
    expect(await hookyard.db.apiToken.count({ where: { userId: user.id } })).toBe(0);
    expectError(await call("GET", `/api/v1/users/${user.id}`), 404, "not_found", /^user not found/);
  });

  it("does not revoke a token through another user's path", async () => {
    const owner = await newUser("carol");
    const other = await newUser("dave");
    const tokens = (await call("GET", `/api/v1/users/${owner.id}/tokens`)).json.items;
    const before = await rows(hookyard);
    expectError(
      await call("DELETE", `/api/v1/users/${other.id}/tokens/${tokens[0].id}`),
      404,
      "not_found",
      /^token not found/,
    );
    expect(await rows(hookyard)).toEqual(before);
    expect((await call("GET", "/api/v1/me", undefined, owner.token)).status).toBe(200);
  });

  it("refuses to delete the last global admin, and deletes an admin that is not the last", async () => {
    const me = (await call("GET", "/api/v1/me")).json;
    const second = await newUser("erin", true);
    expect((await call("GET", "/api/v1/me", undefined, second.token)).json.admin).toBe(true);
    expect((await call("DELETE", `/api/v1/users/${second.id}`)).status).toBe(204);

    const before = await rows(hookyard);
    expectError(await call("DELETE", `/api/v1/users/${me.id}`), 409, "conflict", /last global admin/);
    expect(await rows(hookyard)).toEqual(before);
    expect((await call("GET", "/api/v1/me")).status).toBe(200);
  });

  it("keeps the bootstrap admin's name, which start-up would make a global admin", async () => {
    const before = await rows(hookyard);
    expectError(
      await call("POST", "/api/v1/users", { name: "admin" }),
      400,
      "invalid_request",
      /^name: "admin" is kept/,
    );
    expect(await rows(hookyard)).toEqual(before);
  });

  it("deletes the author of a webhook at once; the webhook stays, in its scope, with no author", async () => {
    const author = await newUser("frank");
    expect((await grant(author.id, { repository: "acme/web", role: "admin" })).status).toBe(201);
    const hook = await call("POST", "/api/v1/webhooks", HOOK, author.token);
    expect(hook.status).toBe(201);
    expect((await call("DELETE", `/api/v1/users/${author.id}`)).status).toBe(204);
    expect((await call("GET", "/api/v1/me", undefined, author.token)).status).toBe(401);
    const kept = await call("GET", `/api/v1/webhooks/${hook.json.id}`);
    expect(kept.status).toBe(200);
    expect(kept.json).toMatchObject({ authorId: null, enabled: true, repository: "acme/web" });
  });

  it("lets a repository admin subscribe to its repository only", async () => {
    const user = await newUser("grace");
    const created = await grant(user.id, { repository: "acme/web", role: "admin" });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^grt_/),
      repository: "acme/web",
      namespace: null,
      role: "admin",
      createdAt: expect.any(String),
    });

    expect((await call("POST", "/api/v1/webhooks", HOOK, user.token)).status).toBe(201);
    expectError(
      await call("POST", "/api/v1/webhooks", { ...HOOK, repository: "acme/api" }, user.token),
      403,
      "forbidden",
      /acme\/api/,
    );

    // Revoked, the grant stops counting at once.
    expect((await call("DELETE", `/api/v1/users/${user.id}/grants/${created.json.id}`)).status).toBe(204);
    expect((await call("POST", "/api/v1/webhooks", HOOK, user.token)).status).toBe(403);
    expect((await call("GET", `/api/v1/users/${user.id}/grants`)).json.items).toEqual([]);
  });

  it("lets a namespace owner subscribe to REPO_* in its namespace; /me lists every grant", async () => {
    const user = await newUser("heidi");
    const owned = await grant(user.id, { namespace: "acme", role: "owner" });
    expect(owned.status).toBe(201);
    expect(owned.json).toMatchObject({ repository: null, namespace: "acme", role: "owner" });
    expect((await grant(user.id, { repository: "other/app", role: "admin" })).status).toBe(201);

    const repoCreated = { ...HOOK, repository: undefined, namespace: "acme", events: ["REPO_CREATED"] };
    expect((await call("POST", "/api/v1/webhooks", repoCreated, user.token)).status).toBe(201);
    expect((await call("POST", "/api/v1/webhooks", { ...HOOK, repository: "acme/api" }, user.token)).status).toBe(201);
    expect((await call("POST", "/api/v1/webhooks", { ...repoCreated, namespace: "other" }, user.token)).status).toBe(
      403,
    );

    const me = await call("GET", "/api/v1/me", undefined, user.token);
    expect(me.json).toEqual({
      id: user.id,
      name: "heidi",
      admin: false,
      repositories: ["other/app"],
      namespaces: ["acme"],
    });
    const listed = await call("GET", `/api/v1/users/${user.id}/grants`);
    expect(
      listed.json.items.map((g: { repository: string; namespace: string }) => [g.repository, g.namespace]),
    ).toEqual([
      [null, "acme"],
      ["other/app", null],
    ]);
  });

  it("answers a grant held already with 409, and changes nothing", async () => {
    const user = await newUser("ivan");
    expect((await grant(user.id, { repository: "acme/web", role: "admin" })).status).toBe(201);
    expect((await grant(user.id, { namespace: "acme", role: "owner" })).status).toBe(201);
    const before = await rows(hookyard);
    expectError(await grant(user.id, { repository: "acme/web", role: "admin" }), 409, "conflict", /^repository:/);
    expectError(await grant(user.id, { namespace: "acme", role: "owner" }), 409, "conflict", /^namespace:/);
    // Both at once still make one grant: the check runs under the user's lock.
    const racing = await Promise.all([1, 2, 3].map(() => grant(user.id, { namespace: "beta", role: "owner" })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect((await rows(hookyard)).grants).toHaveLength(before.grants.length + 1);
  });

  it.each([
    [{ repository: "acme/web", role: "owner" }, /^role: a repository grant has role "admin"/],
    [{ namespace: "acme", role: "admin" }, /^role: a namespace grant has role "owner"/],
    [{ namespace: "acme", role: "root" }, /^role:/],
    [{ namespace: "acme" }, /^role:/],
    [{ repository: "acme/web", namespace: "acme", role: "admin" }, /^repository: give either/],
    [{ role: "admin" }, /^repository: give a repository/],
    [{ repository: "Acme/Web", role: "admin" }, /^repository: "Acme\/Web" is not a repository name/],
    [{ repository: "acme", role: "admin" }, /^repository:/],
    [{ namespace: "acme/web", role: "owner" }, /^namespace: "acme\/web" is not a namespace name/],
    [{ namespace: 7, role: "owner" }, /^namespace:/],
    [{ namespace: "acme", role: "owner", expires: "never" }, /^expires: is not a known field/],
    [[], /^body:/],
  ])("refuses the grant %j with 400 naming the field", async (body, message) => {
    const user = (await call("GET", "/api/v1/users")).json.items.find((u: { name: string }) => u.name === "alice");
    const before = await rows(hookyard);
    expectError(await grant(user.id, body), 400, "invalid_request", message);
    expect(await rows(hookyard)).toEqual(before);
  });

  it.each([
    [{ name: "" }, /^name: must be 1 to 100 characters/],
    [{ name: "a b" }, /^name: must be 1 to 100 characters/],
    [{ name: "ålice" }, /^name:/],
    [{ name: "x".repeat(101) }, /^name:/],
    [{}, /^name:/],
    [{ name: "judy", admin: "yes" }, /^admin:/],
    [{ name: "judy", token: "mine" }, /^token: is not a known field/],
    [["judy"], /^body:/],
  ])("refuses the user %j with 400 naming the field", async (body, message) => {
    const before = await rows(hookyard);
    expectError(await call("POST", "/api/v1/users", body), 400, "invalid_request", message);
    expect(await rows(hookyard)).toEqual(before);
  });

  it("answers a name taken with 409, and an unknown field on a token with 400", async () => {
    const user = (await call("GET", "/api/v1/users")).json.items.find((u: { name: string }) => u.name === "alice");
    const before = await rows(hookyard);
    expectError(await call("POST", "/api/v1/users", { name: "alice" }), 409, "conflict", /^name: a user named "alice"/);
    expectError(
      await call("POST", `/api/v1/users/${user.id}/tokens`, { name: "ci" }),
      400,
      "invalid_request",
      /^name: is not a known field/,
    );
    expect(await rows(hookyard)).toEqual(before);
  });

  it("answers ids that cannot name a row, or name none, with 404", async () => {
    const user = (await call("GET", "/api/v1/users")).json.items.find((u: { name: string }) => u.name === "alice");
    const before = await rows(hookyard);
    const cases: Array<[string, string, unknown, RegExp]> = [
      ["GET", "/api/v1/users/junk", undefined, /^user not found/],
      ["GET", "/api/v1/users/wh_01h455vb4pex5vsknk084sn02q", undefined, /^user not found/],
      ["GET", `/api/v1/users/${NO_USER}`, undefined, /^user not found/],
      ["DELETE", `/api/v1/users/${NO_USER}`, undefined, /^user not found/],
      ["POST", `/api/v1/users/${NO_USER}/tokens`, undefined, /^user not found/],
      ["GET", `/api/v1/users/${NO_USER}/tokens`, undefined, /^user not found/],
      ["GET", "/api/v1/users/junk/grants", undefined, /^user not found/],
      ["POST", `/api/v1/users/${NO_USER}/grants`, { namespace: "acme", role: "owner" }, /^user not found/],
      ["GET", `/api/v1/users/${NO_USER}/grants`, undefined, /^user not found/],
      ["DELETE", `/api/v1/users/${user.id}/tokens/junk`, undefined, /^token not found/],
      ["DELETE", `/api/v1/users/${user.id}/tokens/${NO_TOKEN}`, undefined, /^token not found/],
      ["DELETE", `/api/v1/users/${user.id}/grants/${NO_TOKEN}`, undefined, /^grant not found/],
      ["DELETE", `/api/v1/users/${user.id}/grants/${NO_GRANT}`, undefined, /^grant not found/],
    ];
    for (const [method, path, body, message] of cases) {
      expectError(await call(method, path, body), 404, "not_found", message, `${method} ${path}`);
    }
    expect(await rows(hookyard)).toEqual(before);
  });

  it("keeps every route but /me to global admins: 403 for users, 401 without a valid token", async () => {
    const user = (await call("GET", "/api/v1/users")).json.items.find((u: { name: string }) => u.name === "alice");
    const plain = await newUser("kim");
    const before = await rows(hookyard);
    const routes: Array<[string, string, unknown]> = [
      ["POST", "/api/v1/users", { name: "x" }],
      ["GET", "/api/v1/users", undefined],
      ["GET", `/api/v1/users/${user.id}`, undefined],
      ["DELETE", `/api/v1/users/${user.id}`, undefined],
      ["POST", `/api/v1/users/${user.id}/tokens`, undefined],
      ["GET", `/api/v1/users/${user.id}/tokens`, undefined],
      ["DELETE", `/api/v1/users/${user.id}/tokens/${NO_TOKEN}`, undefined],
      ["POST", `/api/v1/users/${plain.id}/grants`, { namespace: "acme", role: "owner" }],
      ["GET", `/api/v1/users/${user.id}/grants`, undefined],
      ["DELETE", `/api/v1/users/${user.id}/grants/${NO_GRANT}`, undefined],
      ["GET", "/api/v1/users/junk", undefined],
    ];
    for (const [method, path, body] of routes) {
      const what = `${method} ${path}`;
      expectError(await call(method, path, body, plain.token), 403, "forbidden", /global admin/, what);
      expectError(await call(method, path, body, ""), 401, "unauthorized", /token/, what);
      expectError(await call(method, path, body, "hy_not-a-real-token"), 401, "unauthorized", /token/, what);
    }
    expectError(await call("GET", "/api/v1/me", undefined, ""), 401, "unauthorized", /token/);
    expect(await rows(hookyard)).toEqual(before);
  });

  it("never writes a token to the log", async () => {
    expect(issued.length).toBeGreaterThan(5);
    expect(hookyard.logLines.some((l) => l.path === "/api/v1/users")).toBe(true);
    const logged = JSON.stringify(hookyard.logLines);
    for (const token of [...issued, ADMIN_TOKEN]) expect(logged).not.toContain(token);
  });
});

describe("two global admins deleting each other at once", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  it("leaves one of them", async () => {
    const me = (await hookyard.request("GET", "/api/v1/me")).json;
    const other = (await hookyard.request("POST", "/api/v1/users", { body: { name: "second", admin: true } })).json;
    const answers = await Promise.all([
      hookyard.request("DELETE", `/api/v1/users/${me.id}`, { token: other.token }),
      hookyard.request("DELETE", `/api/v1/users/${other.id}`),
    ]);
    // The loser is refused as the last admin, or, when its token's user is gone already, as unknown.
    expect(answers.filter((a) => a.status === 204)).toHaveLength(1);
    expect(answers.map((a) => a.status)).toEqual(expect.arrayContaining([expect.toBeOneOf([409, 401])]));
    expect(await hookyard.db.user.count({ where: { admin: true } })).toBe(1);
  });
});
