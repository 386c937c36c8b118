import { newId } from "@hookyard/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, TestHookyard } from "./support/hookyard.js";
import { pendingDelivery } from "./support/rows.js";
import { userWithGrants } from "./support/users.js";

describe("chains API", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const request = (method: string, path: string, body?: unknown, token?: string) =>
    hookyard.request(method, path, { body, token });
  const create = (body: unknown, token?: string) => request("POST", "/api/v1/chains", body, token);
  const patch = (id: string, body: unknown, token?: string) => request("PATCH", `/api/v1/chains/${id}`, body, token);

  /** A dockerhub webhook (the format a chain takes), made by the admin. */
  async function hook(
    repository = "acme/web",
    more: Record<string, unknown> = {},
  ): Promise<{ id: string; name: string }> {
    const name = `hook-${Math.random().toString(36).slice(2, 8)}`;
    const body = { name, url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"], repository, format: "dockerhub" };
    const { id } = await hookyard.createWebhook({ ...body, ...more });
    return { id, name };
  }

  async function chainOf(webhooks: string[], more: Record<string, unknown> = {}): Promise<any> {
    const res = await create({ name: "deploy", repository: "acme/web", events: ["TAG_PUSH"], webhooks, ...more });
    if (res.status !== 201) throw new Error(`creating the chain: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  }

  /** What a refused request must leave as it was. */
  const tables = async () => ({
    chains: await hookyard.db.chain.count(),
    links: await hookyard.db.chainLink.findMany({ orderBy: [{ chainId: "asc" }, { position: "asc" }] }),
  });

  function expectRefused(res: ApiResponse, status: number, code: string, message: RegExp, what = "") {
    expect(res.status, `${what} ${JSON.stringify(res.json)}`).toBe(status);
    expect(res.json.error.code, what).toBe(code);
    expect(res.json.error.message, what).toMatch(message);
  }

  it("creates, reads, lists, changes and deletes a chain", async () => {
    const [build, test, deploy] = [await hook(), await hook(), await hook()];
    const created = await create({
      name: "  release  ",
      repository: "acme/web",
      events: ["TAG_PUSH"],
      webhooks: [build.id, test.id],
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^chn_/),
      name: "release",
      repository: "acme/web",
      events: ["TAG_PUSH"],
      webhooks: [build.id, test.id],
      steps: [
        { position: 1, webhookId: build.id, name: build.name, enabled: true, disabledReason: null },
        { position: 2, webhookId: test.id, name: test.name, enabled: true, disabledReason: null },
      ],
      authorId: expect.stringMatching(/^usr_/),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const { id } = created.json;
    expect((await request("GET", `/api/v1/chains/${id}`)).json).toEqual(created.json);

    const listed = await request("GET", "/api/v1/chains?repository=acme/web");
    expect(listed.status).toBe(200);
    expect(listed.json.items).toContainEqual(created.json);
    expect((await request("GET", "/api/v1/chains?repository=acme/other")).json).toEqual({
      items: [],
      nextCursor: null,
      total: 0,
      totalCapped: false,
    });

    // New order, a third webhook, a new name: the links are rewritten as a whole.
    const changed = await patch(id, { name: "release v2", webhooks: [deploy.id, build.id, test.id] });
    expect(changed.status).toBe(200);
    expect(changed.json).toMatchObject({ name: "release v2", webhooks: [deploy.id, build.id, test.id] });
    expect(changed.json.steps.map((s: { position: number }) => s.position)).toEqual([1, 2, 3]);
    expect(Date.parse(changed.json.updatedAt)).toBeGreaterThan(Date.parse(created.json.updatedAt));
    expect(changed.json.createdAt).toBe(created.json.createdAt);
    const onlyWebhooks = await patch(id, { webhooks: [test.id] });
    expect(onlyWebhooks.json).toMatchObject({ name: "release v2", events: ["TAG_PUSH"], webhooks: [test.id] });
    // A webhook left out of a chain may join another one.
    expect((await chainOf([deploy.id])).webhooks).toEqual([deploy.id]);

    expect((await request("DELETE", `/api/v1/chains/${id}`)).status).toBe(204);
    expectRefused(await request("GET", `/api/v1/chains/${id}`), 404, "not_found", /chain/);
    expect((await request("DELETE", `/api/v1/chains/${id}`)).status).toBe(404);
    // Its webhooks stay, and may be chained again.
    expect((await request("GET", `/api/v1/webhooks/${test.id}`)).json.enabled).toBe(true);
    expect((await chainOf([test.id, build.id])).webhooks).toEqual([test.id, build.id]);
  });

  it("numbers the steps 1..n in order when a deleted webhook left a gap, and takes disabled webhooks", async () => {
    const paused = await hook("acme/web", { enabled: false });
    const [first, gone] = [await hook(), await hook()];
    const chain = await chainOf([first.id, gone.id, paused.id]);
    expect(chain.steps[2]).toMatchObject({ position: 3, enabled: false, disabledReason: null });
    expect((await request("DELETE", `/api/v1/webhooks/${gone.id}`)).status).toBe(204);

    const fetched = await request("GET", `/api/v1/chains/${chain.id}`);
    expect(fetched.json.webhooks).toEqual([first.id, paused.id]);
    expect(fetched.json.steps).toEqual([
      { position: 1, webhookId: first.id, name: first.name, enabled: true, disabledReason: null },
      { position: 2, webhookId: paused.id, name: paused.name, enabled: false, disabledReason: null },
    ]);
  });

  it("refuses bad input with 400 naming the field, and changes nothing", async () => {
    const [a, b] = [await hook(), await hook()];
    const deleted = await hook();
    await request("DELETE", `/api/v1/webhooks/${deleted.id}`);
    const otherRepository = await hook("acme/api");
    const namespaceWide = await hookyard.createWebhook({
      name: "ns",
      url: "http://127.0.0.1:9/hook",
      events: ["TAG_PUSH"],
      namespace: "acme",
      format: "dockerhub",
    });
    const dtr = await hookyard.createWebhook({
      name: "dtr",
      url: "http://127.0.0.1:9/hook",
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const eleven = await Promise.all(Array.from({ length: 11 }, () => hook()));
    const valid = { name: "deploy", repository: "acme/web", events: ["TAG_PUSH"], webhooks: [a.id, b.id] };
    const chained = await chainOf([b.id]);
    const chainedBefore = (await request("GET", `/api/v1/chains/${chained.id}`)).json;

    const forBoth: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: "   " }, /^name: /],
      [{ name: "n".repeat(201) }, /^name: /],
      [{ events: [] }, /^events: /],
      [{ events: ["TAG_PUSHED"] }, /^events: "TAG_PUSHED" is not an event type/],
      // A chain runs on an event of its repository: namespace and registry-wide types never come.
      [{ events: ["REPO_CREATED"] }, /^events: REPO_CREATED cannot be subscribed to on a repository/],
      [{ events: ["SCANNER_UPDATE_COMPLETED"] }, /^events: SCANNER_UPDATE_COMPLETED cannot/],
      [{ events: ["REPO_*"] }, /^events: "REPO_\*" matches no event type/],
      // Its webhooks are dockerhub webhooks, whose body describes a push.
      [{ events: ["TAG_DELETE"] }, /^events: .*dockerhub.*TAG_DELETE/],
      [{ events: ["TAG_*"] }, /^events: .*dockerhub.*TAG_PULL, TAG_DELETE/],
      [{ webhooks: [] }, /^webhooks: /],
      [{ webhooks: eleven.map((w) => w.id) }, /^webhooks: /],
      [{ webhooks: [a.id, b.id, a.id] }, new RegExp(`^webhooks\\[2\\]: ${a.id} appears twice`)],
      [{ webhooks: [a.id, "wh_01k9xq2c3r4s5t6v7w8x9y0z1a"] }, /^webhooks\[1\]: no such webhook$/],
      [{ webhooks: ["not-an-id"] }, /^webhooks\[0\]: no such webhook$/],
      [{ webhooks: [a.id, deleted.id] }, /^webhooks\[1\]: no such webhook$/],
      [{ webhooks: [42] }, /^webhooks\[0\]: /],
      [{ webhooks: [otherRepository.id] }, /^webhooks\[0\]: .* of acme\/api; a chain's webhooks must be of its repo/],
      [{ webhooks: [namespaceWide.id] }, /^webhooks\[0\]: .* of namespace acme; a chain's webhooks must be of/],
      [
        { webhooks: [a.id, dtr.id] },
        /^webhooks\[1\]: a chain's webhooks must use the dockerhub format, whose body carries the callback_url$/,
      ],
      [{ colour: "red" }, /^colour: /],
    ];
    const createOnly: Array<[Record<string, unknown>, RegExp]> = [
      [{ repository: "Acme/Web" }, /^repository: "Acme\/Web" is not a repository name/],
      [{ repository: "web" }, /^repository: /],
      [{ repository: undefined }, /^repository: /],
      [{ name: undefined }, /^name: /],
      [{ events: undefined }, /^events: /],
      [{ webhooks: undefined }, /^webhooks: /],
    ];
    const patchOnly: Array<[Record<string, unknown>, RegExp]> = [
      [{ repository: "acme/api" }, /^repository: cannot be changed/],
      [{ repository: "acme/web" }, /^repository: cannot be changed/],
    ];

    const before = await tables();
    for (const [fields, message] of [...forBoth, ...createOnly]) {
      expectRefused(await create({ ...valid, ...fields }), 400, "invalid_request", message, JSON.stringify(fields));
    }
    for (const [fields, message] of [...forBoth, ...patchOnly]) {
      expectRefused(await patch(chained.id, fields), 400, "invalid_request", message, JSON.stringify(fields));
    }
    expect(await tables()).toEqual(before);
    expect((await request("GET", `/api/v1/chains/${chained.id}`)).json).toEqual(chainedBefore);
  });

  it("answers 409 naming the chain that holds a webhook already, and changes nothing", async () => {
    const [taken, free] = [await hook(), await hook()];
    const holder = await chainOf([taken.id]);
    const other = await chainOf([free.id]);
    const before = await tables();

    const created = await create({ name: "x", repository: "acme/web", events: ["TAG_PUSH"], webhooks: [free.id] });
    expectRefused(created, 409, "conflict", new RegExp(`^webhooks\\[0\\]: ${free.id} is in chain ${other.id}`));
    const changed = await patch(other.id, { name: "renamed", webhooks: [free.id, taken.id] });
    expectRefused(changed, 409, "conflict", new RegExp(`^webhooks\\[1\\]: ${taken.id} is in chain ${holder.id}`));

    expect(await tables()).toEqual(before);
    expect((await request("GET", `/api/v1/chains/${other.id}`)).json.name).toBe("deploy");
  });

  it("lets exactly one of several chains created at once take a webhook", async () => {
    const contested = await hook();
    const body = { name: "race", repository: "acme/web", events: ["TAG_PUSH"], webhooks: [contested.id] };
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(body)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 201)?.json.id;
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(loser.json.error.message).toContain(`is in chain ${winner}`);
    }
    expect(await hookyard.db.chainLink.count({ where: { webhookId: contested.id } })).toBe(1);
  });

  it("allows what the repository's webhooks allow: global admin, namespace owner, repository admin", async () => {
    const web = await hook("acme/web");
    const api = await hook("acme/api");
    const secret = await hook("secret/app");
    const webChain = await chainOf([web.id]);
    const apiChain = await chainOf([api.id], { repository: "acme/api" });
    const secretChain = await chainOf([secret.id], { repository: "secret/app" });

    const owner = await userWithGrants(hookyard, [{ namespace: "acme" }]);
    const webAdmin = await userWithGrants(hookyard, [{ repository: "acme/web" }]);
    const nobody = await userWithGrants(hookyard, []);
    const listed = async (token: string) =>
      (await request("GET", "/api/v1/chains", undefined, token)).json.items.map((c: { id: string }) => c.id);

    // A namespace owner manages every repository of its namespace, and nothing else.
    expect(await listed(owner)).toEqual(expect.arrayContaining([webChain.id, apiChain.id]));
    expect(await listed(owner)).not.toContain(secretChain.id);
    expect((await patch(apiChain.id, { name: "by owner" }, owner)).json.name).toBe("by owner");
    expect((await request("GET", `/api/v1/chains/${secretChain.id}`, undefined, owner)).status).toBe(404);

    // A repository admin: that repository only; another's chains are not even known to exist.
    const webOnly = await listed(webAdmin);
    expect(webOnly).toContain(webChain.id);
    expect(webOnly).not.toContain(apiChain.id);
    expect((await patch(webChain.id, { name: "by web admin" }, webAdmin)).json.name).toBe("by web admin");
    const before = await tables();
    for (const [method, body] of [["GET"], ["PATCH", { name: "x" }], ["DELETE"]] as const) {
      const res = await request(method, `/api/v1/chains/${apiChain.id}`, body, webAdmin);
      expectRefused(res, 404, "not_found", /^chain not found$/, method);
    }
    // Creating one answers as creating a webhook of that repository does.
    const apiBody = { name: "x", repository: "acme/api", events: ["TAG_PUSH"], webhooks: [api.id] };
    expectRefused(await create(apiBody, webAdmin), 403, "forbidden", /acme\/api/);
    const webhookAnswer = await request(
      "POST",
      "/api/v1/webhooks",
      { name: "x", url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"], repository: "acme/api" },
      webAdmin,
    );
    expect(webhookAnswer.status).toBe(403);
    // A webhook it may not see is no such webhook, not a webhook of another repository.
    const withSecret = { name: "x", repository: "acme/web", events: ["TAG_PUSH"], webhooks: [secret.id] };
    expectRefused(await create(withSecret, webAdmin), 400, "invalid_request", /^webhooks\[0\]: no such webhook$/);
    expectRefused(await create(withSecret), 400, "invalid_request", /^webhooks\[0\]: .* of secret\/app;/);

    // A user with no grant sees none and may make none.
    expect(await listed(nobody)).toEqual([]);
    expect((await request("GET", `/api/v1/chains/${webChain.id}`, undefined, nobody)).status).toBe(404);
    expectRefused(
      await create({ ...apiBody, repository: "acme/web", webhooks: [web.id] }, nobody),
      403,
      "forbidden",
      /acme\/web/,
    );
    expect(await tables()).toEqual(before);

    // The namespace owner and the repository admin may create and delete within their grants.
    const [ownersHook, adminsHook] = [await hook("acme/api"), await hook("acme/web")];
    const ownersChain = await create({ ...apiBody, webhooks: [ownersHook.id] }, owner);
    expect(ownersChain.status).toBe(201);
    const adminsChain = await create({ ...apiBody, repository: "acme/web", webhooks: [adminsHook.id] }, webAdmin);
    expect(adminsChain.status).toBe(201);
    expect((await request("DELETE", `/api/v1/chains/${adminsChain.json.id}`, undefined, webAdmin)).status).toBe(204);
    expect((await request("DELETE", `/api/v1/chains/${ownersChain.json.id}`, undefined, owner)).status).toBe(204);

    expect((await request("GET", "/api/v1/chains", undefined, "")).status).toBe(401);
  });

  it("cancels the pending delivery of a running run when its chain is deleted", async () => {
    const [first, second] = [await hook(), await hook()];
    const chain = await chainOf([first.id, second.id]);
    const { db } = hookyard;
    // A run at step 1, its delivery pending (as the engine leaves it while it waits for the receiver).
    const stepDelivery = await pendingDelivery(db, first.id);
    const { eventId } = await db.delivery.findUniqueOrThrow({ where: { id: stepDelivery } });
    const run = await db.chainRun.create({
      data: {
        id: newId("chainRun"),
        chainId: chain.id,
        eventId,
        steps: { create: { id: newId("chainStep"), position: 1, webhookId: first.id, deliveryId: stepDelivery } },
      },
    });
    // A delivery of the same webhook outside the chain's runs is not the chain's to cancel.
    const ownDelivery = await pendingDelivery(db, first.id);

    expect((await request("DELETE", `/api/v1/chains/${chain.id}`)).status).toBe(204);

    const canceled = await request("GET", `/api/v1/deliveries/${stepDelivery}`);
    expect(canceled.json).toMatchObject({ status: "canceled", completedAt: expect.any(String) });
    expect((await request("GET", `/api/v1/deliveries/${ownDelivery}`)).json.status).toBe("pending");
    expect(await db.chainRun.findUnique({ where: { id: run.id } })).toBeNull();
    expect(await db.chainStep.count({ where: { runId: run.id } })).toBe(0);
    expect((await request("GET", `/api/v1/webhooks/${first.id}`)).status).toBe(200);
  });
});
