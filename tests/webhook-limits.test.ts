import { startApi } from "@hookyard/api";
import { createLogger } from "@hookyard/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";
import { userWithGrants } from "./support/users.js";

/**
 * HOOKYARD_MAX_WEBHOOKS_PER_SCOPE: one scope (a repository, a namespace, global) holds at most so
 * many undeleted webhooks, however many creates arrive at once; a global admin may set another
 * limit for one scope.
 */
describe("webhooks per scope", () => {
  const MAX = 4;
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_MAX_WEBHOOKS_PER_SCOPE: String(MAX) } });
  });
  afterAll(() => hookyard.close());

  const body = (scope: Record<string, string>, name = "w") => ({
    name,
    url: "http://127.0.0.1:9/hook",
    events: ["TAG_PUSH"],
    ...scope,
  });
  const create = (scope: Record<string, string>, token?: string) =>
    hookyard.request("POST", "/api/v1/webhooks", { body: body(scope), token });
  const live = (where: object) => hookyard.db.webhook.count({ where: { deletedAt: null, ...where } });
  const putLimit = (limit: object, token?: string) =>
    hookyard.request("PUT", "/api/v1/limits/webhooks", { body: limit, token });

  it("creates exactly the limit of many creates sent at once to several APIs, and refuses the rest with 409 webhook_limit", async () => {
    // More APIs on the same database, each with its own client and pool, as other processes would be.
    const logger = createLogger({ service: "test", level: "error" });
    const others = await Promise.all(Array.from({ length: 4 }, () => startApi(hookyard.config, logger)));
    const bases = [hookyard.baseUrl, ...others.map((api) => `http://127.0.0.1:${api.port}`)];
    try {
      const answers = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const res = await fetch(`${bases[i % bases.length]}/api/v1/webhooks`, {
            method: "POST",
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify(body({ repository: "race/app" })),
          });
          return { status: res.status, json: (await res.json()) as any };
        }),
      );
      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(MAX);
      expect(statuses.filter((s) => s === 409)).toHaveLength(40 - MAX);
      expect(await live({ repository: "race/app" })).toBe(MAX);
      const refused = answers.find((res) => res.status === 409);
      expect(refused?.json.error.code).toBe("webhook_limit");
      expect(refused?.json.error.message).toContain("repository race/app");
      expect(refused?.json.error.message).toContain("HOOKYARD_MAX_WEBHOOKS_PER_SCOPE");
      expect(refused?.json.error.message).toContain(`at most ${MAX}`);
    } finally {
      await Promise.all(others.map((api) => api.close()));
    }
  });

  it("refuses the creates past the limit sent at once to one API", async () => {
    const answers = await Promise.all(Array.from({ length: 24 }, () => create({ repository: "race/one" })));
    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX);
    expect(statuses.filter((s) => s === 409)).toHaveLength(24 - MAX);
    expect(await live({ repository: "race/one" })).toBe(MAX);
  });

  it("counts each scope apart: a namespace's own webhooks, its repositories', and global ones", async () => {
    const owner = await userWithGrants(hookyard, [{ namespace: "apart" }]);
    for (let i = 0; i < MAX; i++) expect((await create({ repository: "apart/one" }, owner)).status).toBe(201);
    expect((await create({ repository: "apart/one" }, owner)).status).toBe(409);
    expect((await create({ repository: "apart/two" }, owner)).status).toBe(201);
    const namespaceAnswers = await Promise.all(Array.from({ length: MAX + 3 }, () => create({ namespace: "apart" })));
    expect(namespaceAnswers.filter((res) => res.status === 201)).toHaveLength(MAX);
    const refused = namespaceAnswers.find((res) => res.status === 409);
    expect(refused?.json.error.message).toContain("namespace apart");
    const globalAnswers = await Promise.all(Array.from({ length: MAX + 2 }, () => create({})));
    expect(globalAnswers.filter((res) => res.status === 201)).toHaveLength(MAX);
    expect(globalAnswers.find((res) => res.status === 409)?.json.error.message).toContain("the global scope");
    expect(await live({ repository: null, namespace: null })).toBe(MAX);
  });

  it("does not count deleted webhooks", async () => {
    const ids: string[] = [];
    for (let i = 0; i < MAX; i++) ids.push((await create({ repository: "gone/app" })).json.id);
    expect((await create({ repository: "gone/app" })).status).toBe(409);
    expect((await hookyard.request("DELETE", `/api/v1/webhooks/${ids[0]}`)).status).toBe(204);
    expect((await create({ repository: "gone/app" })).status).toBe(201);
    expect((await create({ repository: "gone/app" })).status).toBe(409);
  });

  it("holds for DTR's POST /api/v0/webhooks too", async () => {
    const dtr = (key: string) =>
      hookyard.request("POST", "/api/v0/webhooks", {
        body: { type: "TAG_PUSH", key, endpoint: "http://127.0.0.1:9/dtr" },
      });
    const answers = await Promise.all(Array.from({ length: MAX + 4 }, () => dtr("dtr/app")));
    expect(answers.filter((res) => res.status === 201)).toHaveLength(MAX);
    const refused = answers.find((res) => res.status === 409);
    expect(refused?.json.error).toMatchObject({ code: "webhook_limit" });
    expect(refused?.json.error.message).toContain("repository dtr/app");
    expect(await live({ repository: "dtr/app" })).toBe(MAX);
  });

  it("lets a global admin set another limit for one scope, shown by GET, and take it back", async () => {
    for (let i = 0; i < MAX; i++) await create({ repository: "raised/app" });
    expect((await create({ repository: "raised/app" })).status).toBe(409);

    const raised = await putLimit({ repository: "raised/app", max: MAX + 2 });
    expect(raised.status, JSON.stringify(raised.json)).toBe(200);
    expect(raised.json).toMatchObject({
      repository: "raised/app",
      namespace: null,
      global: false,
      max: MAX + 2,
      source: "admin",
      webhooks: MAX,
    });
    const answers = await Promise.all(Array.from({ length: 5 }, () => create({ repository: "raised/app" })));
    expect(answers.filter((res) => res.status === 201)).toHaveLength(2);
    const refused = answers.find((res) => res.status === 409);
    expect(refused?.json.error.message).toContain(`at most ${MAX + 2} (set by a global admin`);
    // Another repository keeps the setting's limit.
    expect((await putLimit({ namespace: "raised", max: 1 })).json).toMatchObject({ namespace: "raised", max: 1 });
    expect((await putLimit({ global: true, max: 50 })).json).toMatchObject({ global: true, max: 50 });

    const listed = await hookyard.request("GET", "/api/v1/limits/webhooks");
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ setting: "HOOKYARD_MAX_WEBHOOKS_PER_SCOPE", default: MAX, nextCursor: null });
    expect(listed.json.items).toEqual([
      expect.objectContaining({ global: true, max: 50, source: "admin" }),
      expect.objectContaining({ namespace: "raised", max: 1, webhooks: 0 }),
      expect.objectContaining({ repository: "raised/app", max: MAX + 2, webhooks: MAX + 2 }),
    ]);
    const firstPage = await hookyard.request("GET", "/api/v1/limits/webhooks?limit=2");
    expect(firstPage.json.items).toHaveLength(2);
    const secondPage = await hookyard.request(
      "GET",
      `/api/v1/limits/webhooks?limit=2&cursor=${encodeURIComponent(firstPage.json.nextCursor)}`,
    );
    expect(secondPage.json).toMatchObject({ items: [{ repository: "raised/app" }], nextCursor: null });

    // Lowered below what the scope has: they all stay, none more is made.
    const lowered = await putLimit({ repository: "raised/app", max: 1 });
    expect(lowered.json).toMatchObject({ max: 1, webhooks: MAX + 2 });
    expect((await create({ repository: "raised/app" })).json.error.message).toContain(
      `repository raised/app has ${MAX + 2} webhooks and may have at most 1`,
    );
    const reset = await putLimit({ repository: "raised/app", max: null });
    expect(reset.json).toMatchObject({ max: MAX, source: "setting", updatedAt: null });
    expect((await hookyard.request("GET", "/api/v1/limits/webhooks")).json.items).toHaveLength(2);
  });

  it("keeps limits to global admins, and refuses a body that does not name one scope", async () => {
    const owner = await userWithGrants(hookyard, [{ namespace: "acme" }]);
    expect((await putLimit({ repository: "acme/web", max: 100 }, owner)).status).toBe(403);
    expect((await hookyard.request("GET", "/api/v1/limits/webhooks", { token: owner })).status).toBe(403);
    const cases: Array<[object, RegExp]> = [
      [{ max: 5 }, /^repository: give one scope/],
      [{ repository: "acme/web", namespace: "acme", max: 5 }, /^namespace: give one scope/],
      [{ repository: "Acme/Web", max: 5 }, /^repository: /],
      [{ namespace: "a/b", max: 5 }, /^namespace: /],
      [{ global: false, max: 5 }, /^global: /],
      [{ global: true, max: -1 }, /^max: /],
      [{ global: true, max: 1.5 }, /^max: /],
      [{ global: true, max: 2_000_000 }, /^max: /],
      [{ global: true }, /^max: /],
      [{ global: true, max: 5, colour: "red" }, /colour/],
    ];
    for (const [limit, message] of cases) {
      const res = await putLimit(limit);
      expect(res.status, JSON.stringify(limit)).toBe(400);
      expect(res.json.error.message, JSON.stringify(limit)).toMatch(message);
    }
    expect(await hookyard.db.webhookLimit.count({ where: { scope: "repository:acme/web" } })).toBe(0);
  });
});
