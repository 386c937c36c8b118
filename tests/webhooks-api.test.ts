import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";
import { userWithGrants } from "./support/users.js";

describe("webhooks API", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const create = (body: unknown, token?: string) => hookyard.request("POST", "/api/v1/webhooks", { body, token });
  const valid = { name: "ci", url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"], repository: "acme/web" };

  it("creates a webhook for the admin and shows it without its secret", async () => {
    const res = await create({
      ...valid,
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      headers: { Authorization: "Bearer abc", "X-Team": "a" },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: "ci",
      events: ["TAG_PUSH"],
      repository: "acme/web",
      namespace: "acme",
      format: "dtr",
      hasSecret: true,
      enabled: true,
    });
    expect(res.json.id).toMatch(/^wh_/);
    expect(JSON.stringify(res.json)).not.toContain("whsec_");
    expect(res.json.headers).toEqual({ authorization: "[redacted]", "x-team": "a" });
    const fetched = await hookyard.request("GET", `/api/v1/webhooks/${res.json.id}`);
    expect(fetched.json).toEqual(res.json);
  });

  it("expands * and globs to the types the scope allows", async () => {
    const all = await create({ ...valid, events: ["*"] });
    expect(all.json.events).toHaveLength(11);
    const tags = await create({ ...valid, events: ["TAG_*"] });
    expect(tags.json.events).toEqual(["TAG_PUSH", "TAG_PULL", "TAG_DELETE"]);
  });

  it("answers 401 without a valid token", async () => {
    expect((await create(valid, "")).status).toBe(401);
    expect((await create(valid, "hy_not-a-real-token")).status).toBe(401);
  });

  it("answers 400 naming the field for bad input, and creates nothing", async () => {
    const before = await hookyard.db.webhook.count();
    const cases: Array<[unknown, RegExp]> = [
      [{ ...valid, url: "ftp://example.com" }, /^url/],
      [{ ...valid, url: "not a url" }, /^url/],
      [{ ...valid, name: "" }, /^name/],
      [{ ...valid, events: [] }, /^events/],
      [{ ...valid, events: ["TAG_PUSHED"] }, /events: "TAG_PUSHED" is not an event type/],
      [{ ...valid, events: ["REPO_CREATED"] }, /REPO_CREATED cannot be subscribed to on a repository webhook/],
      [{ ...valid, repository: "Acme/Web" }, /^repository/],
      [{ ...valid, namespace: "other" }, /^namespace/],
      [{ ...valid, extra: true }, /extra|Unrecognized/],
      [{ ...valid, format: "protobuf" }, /^format/],
      // Docker Hub's body describes a push: a dockerhub webhook takes TAG_PUSH only.
      [{ ...valid, format: "dockerhub", events: ["TAG_PUSH", "TAG_DELETE"] }, /^events: .*TAG_DELETE/],
      [{ ...valid, format: "dockerhub", events: ["TAG_*"] }, /^events/],
    ];
    for (const [body, message] of cases) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
    expect(await hookyard.db.webhook.count()).toBe(before);
  });

  it("follows DTR's rules: repository admins, namespace owners, global admins", async () => {
    const repoAdmin = await userWithGrants(hookyard, [{ repository: "acme/web" }]);
    const nsOwner = await userWithGrants(hookyard, [{ namespace: "acme" }]);

    expect((await create(valid, repoAdmin)).status).toBe(201);
    expect((await create({ ...valid, repository: "acme/api" }, repoAdmin)).status).toBe(403);
    expect(
      (await create({ ...valid, repository: undefined, namespace: "acme", events: ["REPO_CREATED"] }, repoAdmin))
        .status,
    ).toBe(403);

    expect((await create({ ...valid, repository: "acme/api" }, nsOwner)).status).toBe(201);
    expect(
      (await create({ ...valid, repository: undefined, namespace: "acme", events: ["REPO_*"] }, nsOwner)).status,
    ).toBe(201);
    expect((await create({ ...valid, repository: "other/app" }, nsOwner)).status).toBe(403);

    const global = await create({ ...valid, repository: undefined, events: ["SCANNER_UPDATE_COMPLETED"] }, nsOwner);
    expect(global.status).toBe(403);
    expect(global.json.error.code).toBe("forbidden");
    expect((await create({ ...valid, repository: undefined, events: ["SCANNER_UPDATE_COMPLETED"] })).status).toBe(201);

    // Each sees what they may manage.
    const listed = await hookyard.request("GET", "/api/v1/webhooks", { token: repoAdmin });
    expect(listed.json.items.every((w: { repository: string }) => w.repository === "acme/web")).toBe(true);
  });

  it("hides another scope's webhook and its deliveries as not found", async () => {
    const other = await create({ ...valid, repository: "secret/app" });
    const outsider = await userWithGrants(hookyard, [{ repository: "acme/web" }]);
    expect((await hookyard.request("GET", `/api/v1/webhooks/${other.json.id}`, { token: outsider })).status).toBe(404);
    expect(
      (await hookyard.request("GET", `/api/v1/webhooks/${other.json.id}/deliveries`, { token: outsider })).status,
    ).toBe(404);
  });

  it("rejects bad delivery-list queries with 400", async () => {
    const hook = await create(valid);
    const res = await hookyard.request("GET", `/api/v1/webhooks/${hook.json.id}/deliveries?status=done`);
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/^status/);
  });
});

describe("webhook targets in private networks", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_ALLOW_PRIVATE_TARGETS: "false" } });
  });
  afterAll(() => hookyard.close());

  it("are refused unless HOOKYARD_ALLOW_PRIVATE_TARGETS is set", async () => {
    for (const url of [
      "http://127.0.0.1:8080/x",
      "http://localhost/x",
      "http://localhost./x",
      "http://10.1.2.3/x",
      "http://172.16.0.1/x",
      "http://192.168.1.1/x",
      "http://100.64.0.1/x",
      "http://0.0.0.0/x",
      "http://169.254.169.254/latest",
      "http://[::1]/x",
      "http://[fe80::1]/x",
      "http://[fd00::1]/x",
      "http://[::ffff:127.0.0.1]/x",
      "http://[::ffff:7f00:1]/x",
      "http://[::]/x",
      // Spellings the URL parser turns into 127.0.0.1: hex, one number, octal, short forms.
      "http://0x7f000001/x",
      "http://2130706433/x",
      "http://0177.0.0.1/x",
      "http://127.1/x",
    ]) {
      const res = await hookyard.request("POST", "/api/v1/webhooks", {
        body: { name: "x", url, events: ["TAG_PUSH"], repository: "acme/web" },
      });
      expect(res.status, url).toBe(400);
      expect(res.json.error.message).toMatch(/^url: .*HOOKYARD_ALLOW_PRIVATE_TARGETS/);
    }
  });

  it("accepts a name that does not resolve from the API (split-horizon DNS), which the worker checks when it connects", async () => {
    // .test is reserved (RFC 2606): it never resolves here.
    const res = await hookyard.request("POST", "/api/v1/webhooks", {
      body: {
        name: "inside",
        url: "https://hooks.internal-only.test/deploy",
        events: ["TAG_PUSH"],
        repository: "acme/web",
      },
    });
    expect(res.status).toBe(201);
    const changed = await hookyard.request("PATCH", `/api/v1/webhooks/${res.json.id}`, {
      body: { url: "http://[::ffff:10.0.0.1]/x" },
    });
    expect(changed.status).toBe(400);
    expect(changed.json.error.message).toMatch(/^url: /);
    const kept = await hookyard.request("GET", `/api/v1/webhooks/${res.json.id}`);
    expect(kept.json.url).toBe("https://hooks.internal-only.test/deploy");
  });
});
