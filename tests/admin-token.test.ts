import { afterEach, describe, expect, it, vi } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/*
 * The tokens Hookyard takes from its environment are the environment's: one replaced there stops
 * working at the next start (issue "Trust", tokens), while the tokens made through the API stay.
 */

const FIRST = "admin-token-from-env-first-0123";
const SECOND = "admin-token-from-env-second-4567";

describe("the bootstrap admin's token, HOOKYARD_ADMIN_TOKEN", () => {
  let hookyard: TestHookyard | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await hookyard?.close();
    hookyard = undefined;
  });

  const me = (token: string) => hookyard!.request("GET", "/api/v1/me", { token });

  it("replaced in the environment, stops working at the next start; a token made through the API for the admin stays", async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_ADMIN_TOKEN: FIRST } });
    const first = await me(FIRST);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ name: "admin", admin: true });
    const made = await hookyard.request("POST", `/api/v1/users/${first.json.id}/tokens`, { token: FIRST });
    expect(made.status).toBe(201);
    const apiToken = made.json.token as string;

    await hookyard.restartApi({ HOOKYARD_ADMIN_TOKEN: SECOND });
    expect((await me(FIRST)).status).toBe(401);
    expect(await me(SECOND)).toMatchObject({ status: 200, json: { id: first.json.id, admin: true } });
    expect((await me(apiToken)).status).toBe(200);

    // Started again on the same token: nothing changes, and the admin holds two tokens, not three.
    await hookyard.restartApi();
    expect((await me(SECOND)).status).toBe(200);
    expect((await me(apiToken)).status).toBe(200);
    expect((await me(FIRST)).status).toBe(401);
    const tokens = await hookyard.request("GET", `/api/v1/users/${first.json.id}/tokens`, { token: SECOND });
    expect(tokens.json.items).toHaveLength(2);
  });

  it("adopts the environment's token stored by an earlier Hookyard, which recorded no source, so the next replacement ends it", async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_ADMIN_TOKEN: FIRST } });
    // As an earlier Hookyard left it: the column's default for rows made before it existed.
    await hookyard.db.apiToken.updateMany({ data: { source: "api" } });
    await hookyard.restartApi();
    expect((await me(FIRST)).status).toBe(200);
    await hookyard.restartApi({ HOOKYARD_ADMIN_TOKEN: SECOND });
    expect((await me(FIRST)).status).toBe(401);
    expect((await me(SECOND)).status).toBe(200);
  });

  it("generated on the first start: kept while none is set, replaced by the one set later", async () => {
    const printed: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_ADMIN_TOKEN: "" } });
    const generated = /shown only this once:\s+(hy_\S+)/.exec(printed.join(""))?.[1] as string;
    expect(generated).toBeDefined();
    expect(await me(generated)).toMatchObject({ status: 200, json: { name: "admin", admin: true } });

    printed.length = 0;
    await hookyard.restartApi();
    expect(printed.join("")).not.toContain("shown only this once");
    expect((await me(generated)).status).toBe(200);

    await hookyard.restartApi({ HOOKYARD_ADMIN_TOKEN: FIRST });
    expect((await me(generated)).status).toBe(401);
    expect((await me(FIRST)).status).toBe(200);
  });
});

describe("ingest tokens, HOOKYARD_INGEST_TOKENS", () => {
  let hookyard: TestHookyard | undefined;
  afterEach(() => hookyard?.close());

  it("a token removed from the list stops working at the next start", async () => {
    const kept = "ingest-token-kept-0123456789";
    const removed = "ingest-token-removed-0123456789";
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_INGEST_TOKENS: `${removed},${kept}` } });
    const publish = (token: string) =>
      hookyard!.request("POST", "/api/v1/events", {
        token,
        body: { type: "TAG_PUSH", repository: "acme/web", tag: "v1" },
      });
    expect((await publish(removed)).status).toBe(202);
    expect((await publish(kept)).status).toBe(202);

    await hookyard.restartApi({ HOOKYARD_INGEST_TOKENS: kept });
    const refused = await publish(removed);
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe("unauthorized");
    expect((await publish(kept)).status).toBe(202);
  });
});
