import { EVENT_TYPES, hashToken } from "@hookyard/core";
import { newId } from "@hookyard/db";
import { type Receiver, startReceiver } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, TestHookyard } from "./support/hookyard.js";
import { pendingDelivery } from "./support/rows.js";

/*
 * DTR's people (../shared/seeds/dtr-manage-webhooks.txt): repository admins, namespace owners and
 * global admins, each allowed exactly the subscriptions of DTR's table, on every operation. The
 * expectations below are written from that table, not from Hookyard's code.
 */
type Role = "none" | "repoAdmin" | "otherRepoAdmin" | "nsOwner" | "otherNsOwner" | "globalAdmin";
const ROLES: Role[] = ["none", "repoAdmin", "otherRepoAdmin", "nsOwner", "otherNsOwner", "globalAdmin"];
type ScopeName = "repository" | "namespace" | "global";

const REPOSITORY_TYPES = new Set([
  "TAG_PUSH",
  "TAG_PULL",
  "TAG_DELETE",
  "MANIFEST_PUSH",
  "MANIFEST_PULL",
  "MANIFEST_DELETE",
  "SCAN_COMPLETED",
  "SCAN_FAILED",
  "PROMOTION",
  "PUSH_MIRRORING",
  "POLL_MIRRORING",
  // Hookyard's own events fit every scope, as repository types do (docs/api.md "Hookyard's own events").
  "WEBHOOK_DISABLED",
  "WEBHOOK_ENABLED",
  "DELIVERY_EXHAUSTED",
  "CHAIN_RUN_ENDED",
]);
const NAMESPACE_TYPES = new Set(["REPO_CREATED", "REPO_UPDATED", "REPO_DELETED"]);

/** Who may hold a subscription of this scope (acme/web, acme, global), by the table. */
const MAY_SUBSCRIBE: Record<ScopeName, Role[]> = {
  repository: ["repoAdmin", "nsOwner", "globalAdmin"],
  namespace: ["nsOwner", "globalAdmin"],
  global: ["globalAdmin"],
};

/** Which types a subscription of this scope may name. */
function typeFits(type: string, scope: ScopeName): boolean {
  if (scope === "repository") return REPOSITORY_TYPES.has(type);
  if (scope === "namespace") return REPOSITORY_TYPES.has(type) || NAMESPACE_TYPES.has(type);
  return true;
}

const SCOPE_BODY: Record<ScopeName, Record<string, string>> = {
  repository: { repository: "acme/web" },
  namespace: { namespace: "acme" },
  global: {},
};

describe("webhook permissions on every operation", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ worker: false });
    tokens.globalAdmin = ADMIN_TOKEN;
    const grants: Record<
      Exclude<Role, "globalAdmin">,
      Array<{ repository?: string; namespace: string; role: "admin" | "owner" }>
    > = {
      none: [],
      repoAdmin: [{ repository: "acme/web", namespace: "acme", role: "admin" }],
      otherRepoAdmin: [{ repository: "acme/api", namespace: "acme", role: "admin" }],
      nsOwner: [{ namespace: "acme", role: "owner" }],
      otherNsOwner: [{ namespace: "other", role: "owner" }],
    };
    for (const [role, list] of Object.entries(grants) as Array<[Role, (typeof grants)["none"]]>) {
      const user = await hookyard.db.user.create({ data: { id: newId("user"), name: role } });
      tokens[role] = `token-of-${role}-0123456789`;
      await hookyard.db.apiToken.create({
        data: { id: newId("token"), userId: user.id, tokenHash: hashToken(tokens[role]) },
      });
      for (const grant of list) {
        await hookyard.db.grant.create({
          data: { id: newId("grant"), userId: user.id, repository: grant.repository ?? null, ...grant },
        });
      }
    }
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  it("creates exactly what DTR's table allows: every role x every event type x every scope", async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const role of ROLES) {
      for (const scope of ["repository", "namespace", "global"] as const) {
        for (const type of EVENT_TYPES) {
          const res = await hookyard.request("POST", "/api/v1/webhooks", {
            token: tokens[role],
            body: { name: "t", url: "http://127.0.0.1:9/hook", events: [type], ...SCOPE_BODY[scope] },
          });
          const allowed = MAY_SUBSCRIBE[scope].includes(role);
          outcomes.push(`${role} ${scope} ${type} ${res.status}`);
          expected.push(`${role} ${scope} ${type} ${!allowed ? 403 : typeFits(type, scope) ? 201 : 400}`);
        }
      }
    }
    expect(outcomes).toEqual(expected);
  });

  /** A delivery of the webhook that has succeeded, so that it may be sent again. */
  async function finishedDelivery(webhookId: string): Promise<string> {
    const id = await pendingDelivery(hookyard.db, webhookId);
    // Succeeded as a worker books it: one attempt that got a 200 (docs/invariants.md).
    await hookyard.db.delivery.update({
      where: { id },
      data: {
        status: "succeeded",
        completedAt: new Date(),
        attemptCount: 1,
        lastStatusCode: 200,
        attempts: {
          create: {
            id: newId("attempt"),
            n: 1,
            startedAt: new Date(),
            durationMs: 5,
            statusCode: 200,
            requestHeaders: {},
          },
        },
      },
    });
    return id;
  }

  it("lets each role list, read, test, rotate the secret of, redeliver, recover, pause, change, read the history of and delete exactly the webhooks of scopes it may subscribe to: every role x every event type x every scope", async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const scope of ["repository", "namespace", "global"] as const) {
      for (const type of EVENT_TYPES.filter((t) => typeFits(t, scope))) {
        for (const role of ROLES) {
          const hook = await hookyard.createWebhook({
            name: "original",
            url: `${receiver.url}/${scope}/${type}/${role}`,
            events: [type],
            ...SCOPE_BODY[scope],
          });
          const as = (method: string, path: string, body?: unknown) =>
            hookyard.request(method, path, { token: tokens[role], ...(body ? { body } : {}) });
          const sentBefore = receiver.requests.length;
          const listed = (await as("GET", "/api/v1/webhooks")).json.items.some((w: { id: string }) => w.id === hook.id);
          const results = [
            `listed ${listed}`,
            `get ${(await as("GET", `/api/v1/webhooks/${hook.id}`)).status}`,
            `history ${(await as("GET", `/api/v1/webhooks/${hook.id}/deliveries`)).status}`,
            `test ${(await as("POST", `/api/v1/webhooks/${hook.id}/test`)).status}`,
            `rotate ${(await as("POST", `/api/v1/webhooks/${hook.id}/secret/rotate`)).status}`,
            `redeliver ${(await as("POST", `/api/v1/deliveries/${await finishedDelivery(hook.id)}/redeliver`)).status}`,
            `recover ${(await as("POST", `/api/v1/webhooks/${hook.id}/recover`, { since: "2026-01-01T00:00:00Z" })).status}`,
            `pause ${(await as("PATCH", `/api/v1/webhooks/${hook.id}`, { enabled: false })).status}`,
            `change ${(await as("PATCH", `/api/v1/webhooks/${hook.id}`, { name: "renamed" })).status}`,
            `delete ${(await as("DELETE", `/api/v1/webhooks/${hook.id}`)).status}`,
          ];
          const stored = await hookyard.db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
          results.push(
            `sent ${receiver.requests.length - sentBefore}`,
            `stored ${stored.name} ${stored.enabled} ${stored.deletedAt !== null}`,
          );
          outcomes.push(`${role} ${scope} ${type}: ${results.join(", ")}`);

          const allowed = MAY_SUBSCRIBE[scope].includes(role);
          const seen = allowed ? 200 : 404; // another scope's webhook is not even known to exist
          expected.push(
            `${role} ${scope} ${type}: ${[
              `listed ${allowed}`,
              `get ${seen}`,
              `history ${seen}`,
              `test ${seen}`,
              `rotate ${seen}`,
              `redeliver ${allowed ? 202 : 404}`,
              `recover ${allowed ? 202 : 404}`,
              `pause ${seen}`,
              `change ${seen}`,
              `delete ${allowed ? 204 : 404}`,
              `sent ${allowed ? 1 : 0}`,
              `stored ${allowed ? "renamed false true" : "original true false"}`,
            ].join(", ")}`,
          );
        }
      }
    }
    expect(outcomes).toEqual(expected);
  }, 180_000); // 240 webhooks, 12 requests each
});

describe("PATCH and DELETE /api/v1/webhooks/:id", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const create = () =>
    hookyard.createWebhook({
      name: "ci",
      url: "http://127.0.0.1:9/hook",
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
  const patch = (id: string, body: unknown) => hookyard.request("PATCH", `/api/v1/webhooks/${id}`, { body });

  it("changes the fields given, checked as on create, and keeps the rest", async () => {
    const hook = await create();
    const res = await patch(hook.id, {
      name: "deploy",
      url: "http://127.0.0.1:9/other",
      events: ["TAG_*"],
      headers: { "X-Team": "web" },
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: "deploy",
      url: "http://127.0.0.1:9/other",
      events: ["TAG_PUSH", "TAG_PULL", "TAG_DELETE"],
      headers: { "x-team": "web" },
      hasSecret: true,
      repository: "acme/web",
      enabled: true,
    });
    expect((await patch(hook.id, { secret: null })).json.hasSecret).toBe(false);
  });

  it("pauses and resumes a webhook, saying who paused it", async () => {
    const hook = await create();
    expect((await patch(hook.id, { enabled: false })).json).toMatchObject({
      enabled: false,
      disabledReason: "paused by admin",
    });
    expect((await patch(hook.id, { enabled: true })).json).toMatchObject({ enabled: true, disabledReason: null });
  });

  it.each([
    [{ repository: "acme/api" }, "repository: the scope of a webhook cannot be changed"],
    [{ namespace: "acme" }, "namespace: the scope of a webhook cannot be changed"],
    [{ events: ["REPO_CREATED"] }, "events: REPO_CREATED cannot be subscribed to on a repository webhook"],
    [{ url: "ftp://127.0.0.1/x" }, "url: must be an http or https URL"],
    [{ secret: "short" }, "secret: must be"],
    [{ headers: { Host: "x" } }, "headers"],
    [{ name: "" }, "name:"],
    [{ colour: "red" }, "colour: is not a known field"],
  ])("refuses %j with 400 naming the field, and changes nothing", async (body, message) => {
    const hook = await create();
    const before = await hookyard.db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
    const res = await patch(hook.id, body);
    expect(res.status).toBe(400);
    expect(res.json.error.message.startsWith(message)).toBe(true);
    expect(await hookyard.db.webhook.findUniqueOrThrow({ where: { id: hook.id } })).toEqual(before);
  });

  it("DELETE stops a webhook, cancels its pending deliveries and keeps their history for a global admin", async () => {
    const hook = await create();
    const pending = [await pendingDelivery(hookyard.db, hook.id), await pendingDelivery(hookyard.db, hook.id)];
    expect((await hookyard.request("DELETE", `/api/v1/webhooks/${hook.id}`)).status).toBe(204);

    const deliveries = await hookyard.db.delivery.findMany({ where: { id: { in: pending } } });
    expect(deliveries.map((d) => d.status)).toEqual(["canceled", "canceled"]);
    expect((await hookyard.request("GET", `/api/v1/webhooks/${hook.id}`)).status).toBe(404);
    expect((await patch(hook.id, { name: "back" })).status).toBe(404);
    expect((await hookyard.request("DELETE", `/api/v1/webhooks/${hook.id}`)).status).toBe(404);
    const listed = (await hookyard.request("GET", "/api/v1/webhooks")).json.items.map((w: { id: string }) => w.id);
    expect(listed).not.toContain(hook.id);
    const history = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}/deliveries`);
    expect(history.status).toBe(200);
    expect(history.json.items.map((d: { status: string }) => d.status)).toEqual(["canceled", "canceled"]);
    expect((await hookyard.request("GET", `/api/v1/deliveries/${pending[0]}`)).status).toBe(200);
  });
});
