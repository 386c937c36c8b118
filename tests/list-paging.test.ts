import { newId } from "@hookyard/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, TestHookyard } from "./support/hookyard.js";
import { userWithGrants } from "./support/users.js";

/**
 * Every list of the API pages: `limit` and `cursor` in, `items` and `nextCursor` out, in a stable
 * order, so that reading to the end gives every row exactly once, even while rows are added.
 */
describe("list paging", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  /** Webhooks of one scope straight into the database, in one statement; their ids. */
  async function insertWebhooks(count: number, scope: { repository?: string; namespace?: string }) {
    const ids = Array.from({ length: count }, () => newId("webhook"));
    const namespace = scope.namespace ?? scope.repository?.split("/")[0] ?? null;
    await hookyard.db.$executeRaw`
      INSERT INTO webhooks (id, name, url, events, format, namespace, repository)
      SELECT id, 'bulk ' || n, 'http://127.0.0.1:9/hook', ARRAY['TAG_PUSH'], 'dockerhub', ${namespace},
             ${scope.repository ?? null}
      FROM unnest(${ids}::text[]) WITH ORDINALITY AS t(id, n)`;
    return ids;
  }

  /**
   * Reads a list page by page to its end; every page's answer, and every item's key. `between` runs
   * after each page, to change the list while it is read.
   */
  async function readAll(
    path: string,
    limit: number,
    options: { key?: (item: any) => string; token?: string; between?: () => Promise<unknown> } = {},
  ) {
    const key = options.key ?? ((item: { id: string }) => item.id);
    const keys: string[] = [];
    const pages: ApiResponse[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes("?") ? "&" : "?";
      const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await hookyard.request("GET", `${path}${separator}${query}`, { token: options.token });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(limit);
      expect(res.json).toHaveProperty("nextCursor");
      pages.push(res);
      keys.push(...res.json.items.map(key));
      cursor = res.json.nextCursor;
      expect(pages.length).toBeLessThan(1000);
      await options.between?.();
    } while (cursor !== null);
    return { keys, pages };
  }

  it("pages through 620 webhooks of one repository, each exactly once, while more are added", async () => {
    const ids = await insertWebhooks(620, { repository: "big/many" });
    const { keys, pages } = await readAll("/api/v1/webhooks?repository=big/many", 100, {
      // New webhooks come before the pages read so far (newest first): they never push a row onto a later page.
      between: () => insertWebhooks(3, { repository: "big/many" }),
    });
    expect(keys).toHaveLength(620);
    expect(new Set(keys)).toEqual(new Set(ids));
    expect(pages).toHaveLength(7);
    expect(pages.every((page) => page.json.items.every((w: any) => "lastDelivery" in w))).toBe(true);
    expect(pages.at(-1)?.json.nextCursor).toBeNull();

    const first = await hookyard.request("GET", "/api/v1/webhooks?repository=big/many");
    expect(first.json.items).toHaveLength(20);
    expect(first.json.nextCursor).toBe(first.json.items[19].id);

    // The whole list, in one page of 100 at a time, for a repository admin too.
    const owner = await userWithGrants(hookyard, [{ repository: "big/many" }]);
    const mine = await readAll("/api/v1/webhooks", 100, { token: owner });
    expect(mine.keys).toHaveLength(620 + 3 * 7);
    expect(new Set(mine.keys).size).toBe(mine.keys.length);
  });

  it("answers DTR's lists whole, whatever their length", async () => {
    const ids = await insertWebhooks(530, { repository: "dtr/long" });
    const res = await hookyard.request("GET", "/api/v0/repositories/dtr/long/webhooks");
    expect(res.status).toBe(200);
    expect(res.json.map((w: { id: string }) => w.id).sort()).toEqual([...ids].sort());
  });

  it("pages each filter of the webhook list: namespace, scope, repository", async () => {
    const repositoryIds = await insertWebhooks(3, { repository: "filt/app" });
    const namespaceIds = await insertWebhooks(4, { namespace: "filt" });
    const globalIds = await insertWebhooks(5, {});
    const global = await readAll("/api/v1/webhooks?scope=global", 2);
    expect(global.keys.sort()).toEqual([...globalIds].sort());
    const own = await readAll("/api/v1/webhooks?namespace=filt&scope=namespace", 3);
    expect(own.keys.sort()).toEqual([...namespaceIds].sort());
    const all = await readAll("/api/v1/webhooks?namespace=filt", 3);
    expect(all.keys.sort()).toEqual([...repositoryIds, ...namespaceIds].sort());
    const repository = await readAll("/api/v1/webhooks?repository=filt/app&scope=repository", 1);
    expect(repository.keys.sort()).toEqual([...repositoryIds].sort());
    expect(repository.pages).toHaveLength(3);
  });

  it("pages chains and a chain's runs", async () => {
    const hooks = await insertWebhooks(5, { repository: "chain/app" });
    const chainIds: string[] = [];
    for (const [i, webhookId] of hooks.entries()) {
      const res = await hookyard.request("POST", "/api/v1/chains", {
        body: { name: `c${i}`, repository: "chain/app", events: ["TAG_PUSH"], webhooks: [webhookId] },
      });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      chainIds.push(res.json.id);
    }
    const chains = await readAll("/api/v1/chains?repository=chain/app", 2);
    expect(chains.keys).toEqual([...chainIds].reverse());
    const owner = await userWithGrants(hookyard, [{ namespace: "chain" }]);
    expect((await readAll("/api/v1/chains", 2, { token: owner })).keys).toEqual([...chainIds].reverse());

    const chainId = chainIds[0] as string;
    const runIds = Array.from({ length: 5 }, () => newId("chainRun"));
    const eventIds = runIds.map(() => newId("event"));
    await hookyard.db.$executeRaw`
      WITH e AS (
        INSERT INTO events (id, dedup_key, type, source, namespace, repository, occurred_at, data)
        SELECT id, id, 'TAG_PUSH', 'native', 'chain', 'chain/app', now(), '{}' FROM unnest(${eventIds}::text[]) AS t(id)
        RETURNING id)
      INSERT INTO chain_runs (id, chain_id, event_id, state)
      SELECT r, ${chainId}, e, 'completed' FROM unnest(${runIds}::text[], ${eventIds}::text[]) AS t(r, e)`;
    const runs = await readAll(`/api/v1/chains/${chainId}/runs`, 2);
    expect(runs.keys).toEqual([...runIds].reverse());
  });

  it("pages users, a user's tokens and a user's grants, oldest first", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await hookyard.request("POST", "/api/v1/users", { body: { name: `pager-${i}` } });
      created.push(res.json.id);
    }
    const users = await readAll("/api/v1/users", 2);
    expect(new Set(users.keys).size).toBe(users.keys.length);
    expect(users.keys).toEqual([...users.keys].sort());
    expect(users.keys).toEqual(expect.arrayContaining(created));
    expect(users.keys).toHaveLength(await hookyard.db.user.count());

    const userId = created[0] as string;
    const tokenIds = [(await hookyard.db.apiToken.findFirstOrThrow({ where: { userId } })).id];
    for (let i = 0; i < 4; i++) {
      tokenIds.push((await hookyard.request("POST", `/api/v1/users/${userId}/tokens`)).json.id);
    }
    expect((await readAll(`/api/v1/users/${userId}/tokens`, 2)).keys).toEqual(tokenIds);

    const grantIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await hookyard.request("POST", `/api/v1/users/${userId}/grants`, {
        body: { repository: `granted/r${i}`, role: "admin" },
      });
      grantIds.push(res.json.id);
    }
    const grants = await readAll(`/api/v1/users/${userId}/grants`, 2);
    expect(grants.keys).toEqual(grantIds);
    expect(grants.pages).toHaveLength(3);
  });

  it("pages repositories by name, with a search", async () => {
    const names = ["repos/a", "repos/b", "repos/c", "repos/d", "repos/e"];
    for (const name of names) await insertWebhooks(1, { repository: name });
    const all = await readAll("/api/v1/repositories?search=repos/", 2, { key: (r) => r.repository });
    expect(all.keys).toEqual(names);
    expect(all.pages[0]?.json.nextCursor).toBe("repos/b");
    const owner = await userWithGrants(hookyard, [{ namespace: "repos" }]);
    const mine = await readAll("/api/v1/repositories", 3, { key: (r) => r.repository, token: owner });
    expect(mine.keys).toEqual(names);
  });

  it("answers 400 naming limit or cursor when either is not valid, on every list", async () => {
    const user = await hookyard.db.user.findFirstOrThrow();
    const chain = await hookyard.db.chain.findFirst();
    const lists = [
      "/api/v1/webhooks",
      "/api/v1/chains",
      "/api/v1/users",
      `/api/v1/users/${user.id}/tokens`,
      `/api/v1/users/${user.id}/grants`,
      "/api/v1/repositories",
      "/api/v1/limits/webhooks",
      ...(chain ? [`/api/v1/chains/${chain.id}/runs`] : []),
    ];
    for (const list of lists) {
      for (const limit of ["0", "101", "abc", "1.5"]) {
        if (list === "/api/v1/repositories" && limit === "101") continue; // repositories go up to 200
        const res = await hookyard.request("GET", `${list}?limit=${limit}`);
        expect(res.status, `${list} limit=${limit}`).toBe(400);
        expect(res.json.error.message, list).toMatch(/^limit: /);
      }
      if (list !== "/api/v1/repositories" && list !== "/api/v1/limits/webhooks") {
        const res = await hookyard.request("GET", `${list}?cursor=not-a-cursor`);
        expect(res.status, list).toBe(400);
        expect(res.json.error.message, list).toMatch(/^cursor: must be the nextCursor of a previous page/);
      }
    }
    const tooLong = await hookyard.request("GET", `/api/v1/repositories?cursor=${"a".repeat(300)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.message).toMatch(/^cursor: /);
    expect((await hookyard.request("GET", "/api/v1/repositories?limit=201")).status).toBe(400);
    expect((await hookyard.request("GET", "/api/v1/webhooks?scope=everything")).json.error.message).toMatch(/^scope: /);
  });
});
