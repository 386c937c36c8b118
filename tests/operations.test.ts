import { generateToken, hashToken } from "@hookyard/core";
import { newId } from "@hookyard/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";

describe("operations endpoints", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  it("/healthz answers while the process is alive and /readyz checks Postgres and Redis", async () => {
    expect((await hookyard.request("GET", "/healthz", { token: null })).json).toEqual({ status: "ok" });
    const ready = await hookyard.request("GET", "/readyz", { token: null });
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({ status: "ok", postgres: "ok", redis: "ok" });
  });

  it("shows Bull Board to global admins only, also through Basic auth in a browser", async () => {
    const anonymous = await fetch(`${hookyard.baseUrl}/admin/queues`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("Basic");

    const userToken = generateToken();
    await hookyard.db.user.create({
      data: {
        id: newId("user"),
        name: "plain",
        tokens: { create: { id: newId("token"), tokenHash: hashToken(userToken) } },
      },
    });
    const plain = await fetch(`${hookyard.baseUrl}/admin/queues`, {
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(plain.status).toBe(403);

    const basic = Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64");
    const page = await fetch(`${hookyard.baseUrl}/admin/queues`, { headers: { authorization: `Basic ${basic}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Bull Dashboard</title>");

    const api = await fetch(`${hookyard.baseUrl}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    const names = ((await api.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    expect(names).toEqual(["deliveries", "events"]);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await hookyard.request("GET", "/api/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_found");
  });
});
