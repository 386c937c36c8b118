import { makeCertificate, manifestPush, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, TestHookyard } from "./support/hookyard.js";

/*
 * The DTR webhook API (/api/v0) as DTR's documentation has scripts call it ("use the API":
 * `curl -u user:token -X POST .../api/v0/webhooks -d '{"endpoint": ..., "key": "test-org/test-repo",
 * "type": "TAG_PUSH"}'`), on Hookyard's own webhooks.
 */
const DTR_FIELDS = [
  "authorID",
  "createdAt",
  "endpoint",
  "id",
  "inactive",
  "key",
  "lastSuccessfulAt",
  "skipTLSVerification",
  "tlsCert",
  "type",
].sort();

describe("/api/v0, DTR's webhook API", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  /** Basic auth, as `curl -u name:token` sends it. */
  const users: Record<"repoAdmin" | "nsOwner" | "nobody", { id: string; basic: string }> = {} as never;

  const v0 = (who: keyof typeof users | "admin", method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    hookyard.request(method, `/api/v0${path}`, {
      ...(who === "admin" ? {} : { token: null, headers: { authorization: users[who].basic } }),
      ...(body === undefined ? {} : { body }),
    });

  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const grants = {
      repoAdmin: { repository: "acme/web", role: "admin" },
      nsOwner: { namespace: "acme", role: "owner" },
      nobody: null,
    };
    for (const [name, grant] of Object.entries(grants) as Array<[keyof typeof users, object | null]>) {
      const created = await hookyard.request("POST", "/api/v1/users", { body: { name } });
      if (grant) await hookyard.request("POST", `/api/v1/users/${created.json.id}/grants`, { body: grant });
      users[name] = {
        id: created.json.id,
        basic: `Basic ${Buffer.from(`${name}:${created.json.token}`).toString("base64")}`,
      };
    }
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  it("subscribes with DTR's documented body and answers in DTR's shape; the event arrives as DTR sends it", async () => {
    const res = await v0("repoAdmin", "POST", "/webhooks", {
      endpoint: `${receiver.url}/dtr`,
      key: "acme/web",
      type: "TAG_PUSH",
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.json).sort()).toEqual(DTR_FIELDS);
    expect(res.json).toMatchObject({
      type: "TAG_PUSH",
      key: "acme/web",
      endpoint: `${receiver.url}/dtr`,
      authorID: users.repoAdmin.id,
      lastSuccessfulAt: null,
      inactive: false,
      tlsCert: "",
      skipTLSVerification: false,
    });
    // The same webhook through /api/v1: a dtr-format webhook of one type on the repository.
    const v1 = await hookyard.request("GET", `/api/v1/webhooks/${res.json.id}`);
    expect(v1.json).toMatchObject({ format: "dtr", events: ["TAG_PUSH"], repository: "acme/web", namespace: "acme" });

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "1.4" }));
    const [request] = await receiver.waitForRequests(1);
    expect(request?.json).toMatchObject({
      type: "TAG_PUSH",
      contents: { namespace: "acme", repository: "web", tag: "1.4" },
      location: "/repositories/acme/web/tags/1.4",
    });
    const listed = await waitFor(async () => {
      const hooks = (await v0("repoAdmin", "GET", "/webhooks")).json as Array<{
        id: string;
        lastSuccessfulAt: string | null;
      }>;
      const hook = hooks.find((h) => h.id === res.json.id);
      return hook?.lastSuccessfulAt ? hook : false;
    });
    expect(Date.parse(listed.lastSuccessfulAt as string)).not.toBeNaN();
  });

  it("reads key as DTR does: ns/repo, a namespace, or nothing for a global admin", async () => {
    const namespaced = await v0("nsOwner", "POST", "/webhooks", {
      type: "REPO_CREATED",
      key: "acme",
      endpoint: `${receiver.url}/repos`,
    });
    expect(namespaced.status).toBe(201);
    expect(namespaced.json).toMatchObject({ type: "REPO_CREATED", key: "acme" });
    const everything = await v0("admin", "POST", "/webhooks", {
      type: "SCANNER_UPDATE_COMPLETED",
      endpoint: `${receiver.url}/scanner`,
    });
    expect(everything.status).toBe(201);
    expect(everything.json.key).toBe("");
    // A long repository name is still a scope (the webhook's v1 name is cut to fit, not refused).
    const long = await v0("admin", "POST", "/webhooks", {
      type: "TAG_PUSH",
      key: `acme/${"w".repeat(200)}`,
      endpoint: receiver.url,
    });
    expect(long.status).toBe(201);
    expect(long.json.key).toBe(`acme/${"w".repeat(200)}`);
    const noKey = await v0("repoAdmin", "POST", "/webhooks", { type: "TAG_PUSH", endpoint: receiver.url });
    expect(noKey.status).toBe(403);
    const otherRepo = await v0("repoAdmin", "POST", "/webhooks", {
      type: "TAG_PUSH",
      key: "acme/api",
      endpoint: receiver.url,
    });
    expect(otherRepo.status).toBe(403);
  });

  it.each([
    [{ type: "TAG_PUSHED", key: "acme/web", endpoint: "http://127.0.0.1:9/x" }, /^type: /],
    [{ type: "TAG_PUSH", key: "acme/web", endpoint: "ftp://127.0.0.1/x" }, /^endpoint: must be an http or https URL/],
    [{ type: "TAG_PUSH", key: "acme/web" }, /^endpoint: /],
    [
      { type: "REPO_CREATED", key: "acme/web", endpoint: "http://127.0.0.1:9/x" },
      /^type: REPO_CREATED cannot be subscribed to on a repository webhook/,
    ],
    [{ type: "TAG_PUSH", key: "Acme//web", endpoint: "http://127.0.0.1:9/x" }, /^key: /],
    [
      { type: "TAG_PUSH", key: "acme/web", endpoint: "http://127.0.0.1:9/x", tlsCert: "not a certificate" },
      /^tlsCert: /,
    ],
    [
      { type: "TAG_PUSH", key: "acme/web", endpoint: "http://127.0.0.1:9/x", colour: "red" },
      /^colour: is not a known field/,
    ],
  ])("refuses %j with 400 naming DTR's field, and stores nothing", async (body, message) => {
    const before = await hookyard.db.webhook.count();
    const res = await v0("admin", "POST", "/webhooks", body);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(message);
    expect(await hookyard.db.webhook.count()).toBe(before);
  });

  it("lists a user's own subscriptions, all of them for a global admin, and a repository's or namespace's for their admins", async () => {
    const own = (await v0("nsOwner", "GET", "/webhooks")).json as Array<{ authorID: string; key: string }>;
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((h) => h.authorID === users.nsOwner.id)).toBe(true);
    const all = (await v0("admin", "GET", "/webhooks")).json as Array<{ authorID: string }>;
    expect(new Set(all.map((h) => h.authorID)).size).toBeGreaterThanOrEqual(3);
    expect((await v0("nobody", "GET", "/webhooks")).json).toEqual([]);

    const repo = await v0("repoAdmin", "GET", "/repositories/acme/web/webhooks");
    expect(repo.status).toBe(200);
    expect(repo.json.length).toBeGreaterThan(0);
    expect(repo.json.every((h: { key: string }) => h.key === "acme/web")).toBe(true);
    const namespace = await v0("nsOwner", "GET", "/repositories/acme/webhooks");
    expect(namespace.json.map((h: { key: string; type: string }) => `${h.key} ${h.type}`)).toEqual([
      "acme REPO_CREATED",
    ]);
    expect((await v0("repoAdmin", "GET", "/repositories/acme/webhooks")).status).toBe(403);
    expect((await v0("nobody", "GET", "/repositories/acme/web/webhooks")).status).toBe(403);
    expect((await v0("admin", "GET", "/repositories/acme/web/hooks")).status).toBe(404);
  });

  it("deletes a subscription its author's scope allows, and no other", async () => {
    const created = await v0("repoAdmin", "POST", "/webhooks", {
      type: "TAG_DELETE",
      key: "acme/web",
      endpoint: receiver.url,
    });
    expect((await v0("nobody", "DELETE", `/webhooks/${created.json.id}`)).status).toBe(404);
    expect((await v0("repoAdmin", "DELETE", `/webhooks/${created.json.id}`)).status).toBe(204);
    expect((await hookyard.request("GET", `/api/v1/webhooks/${created.json.id}`)).status).toBe(404);
    expect((await v0("repoAdmin", "DELETE", `/webhooks/${created.json.id}`)).status).toBe(404);
    expect((await v0("repoAdmin", "DELETE", "/webhooks/not-an-id")).status).toBe(404);
  });

  it("sends a sample of a type to an endpoint with POST /webhooks/test, for those who may subscribe to it", async () => {
    const before = receiver.requests.length;
    const res = await v0("repoAdmin", "POST", "/webhooks/test", {
      type: "TAG_PUSH",
      endpoint: `${receiver.url}/sample`,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ statusCode: 200, error: null });
    const sample = receiver.requests[before];
    expect(sample?.path).toBe("/sample");
    expect(sample?.json).toMatchObject({ type: "TAG_PUSH", contents: { tag: "latest" } });
    expect(sample?.headers["x-hookyard-event"]).toBe("TAG_PUSH");

    expect((await v0("nobody", "POST", "/webhooks/test", { type: "TAG_PUSH", endpoint: receiver.url })).status).toBe(
      403,
    );
    expect(
      (await v0("repoAdmin", "POST", "/webhooks/test", { type: "REPO_CREATED", endpoint: receiver.url })).status,
    ).toBe(403);
    const bad = await v0("repoAdmin", "POST", "/webhooks/test", { type: "TAG_PUSH", endpoint: "not a url" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^endpoint: /);
    expect(receiver.requests.length).toBe(before + 1);
  });

  it("answers 401 without credentials and with a wrong token", async () => {
    expect((await hookyard.request("GET", "/api/v0/webhooks", { token: null })).status).toBe(401);
    const wrong = `Basic ${Buffer.from("repoAdmin:not-the-token").toString("base64")}`;
    expect(
      (await hookyard.request("GET", "/api/v0/webhooks", { token: null, headers: { authorization: wrong } })).status,
    ).toBe(401);
  });
});

describe("/api/v0 on a Hookyard that refuses private targets", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_ALLOW_PRIVATE_TARGETS: "false" } });
  });
  afterAll(() => hookyard.close());

  it("refuses private endpoints for subscriptions and tests, naming endpoint", async () => {
    const endpoint = "http://169.254.169.254/latest";
    for (const [path, body] of [
      ["/api/v0/webhooks", { type: "TAG_PUSH", key: "acme/web", endpoint }],
      ["/api/v0/webhooks/test", { type: "TAG_PUSH", endpoint }],
    ] as const) {
      const res = await hookyard.request("POST", path, { body });
      expect(res.status, path).toBe(400);
      expect(res.json.error.message).toMatch(/^endpoint: .*HOOKYARD_ALLOW_PRIVATE_TARGETS/);
    }
  });
});

describe("HTTPS receivers with their own CA (DTR's tlsCert and skipTLSVerification)", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let cert: string;
  beforeAll(async () => {
    const certificate = await makeCertificate();
    cert = certificate.cert;
    receiver = await startReceiver(() => ({ status: 200, body: "over tls" }), { tls: certificate });
    hookyard = await TestHookyard.start();
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  it("delivers to a self-signed receiver only with its certificate or with verification skipped", async () => {
    const make = (extra: object) =>
      hookyard.request("POST", "/api/v0/webhooks", {
        body: { type: "TAG_PUSH", key: "acme/web", endpoint: `${receiver.url}/hook`, ...extra },
      });
    const trusted = await make({ tlsCert: cert });
    const skipping = await make({ skipTLSVerification: true });
    const plain = await make({});
    expect([trusted.status, skipping.status, plain.status]).toEqual([201, 201, 201]);
    expect(trusted.json.tlsCert).toBe(cert);
    expect(skipping.json.skipTLSVerification).toBe(true);

    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "2.0" }));
    const [ok] = await hookyard.settledDeliveries(trusted.json.id, 1);
    const [skipped] = await hookyard.settledDeliveries(skipping.json.id, 1);
    expect(ok).toMatchObject({ status: "succeeded", lastStatusCode: 200 });
    expect(skipped).toMatchObject({ status: "succeeded", lastStatusCode: 200 });
    expect(receiver.requests).toHaveLength(2);

    // The receiver without trust: each attempt fails on the certificate, nothing reaches it.
    const attempt = await waitFor(async () => {
      const page = await hookyard.request("GET", `/api/v1/webhooks/${plain.json.id}/deliveries`);
      const id = page.json.items[0]?.id;
      const detail = id && (await hookyard.request("GET", `/api/v1/deliveries/${id}`));
      return detail?.json.attempts[0] ?? false;
    });
    expect(attempt.statusCode).toBeNull();
    expect(attempt.error).toMatch(/SELF_SIGNED|self.signed/i);
    expect(receiver.requests).toHaveLength(2);
  });
});
