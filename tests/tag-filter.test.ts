import { tagPassesFilter } from "@hookyard/core";
import { createDb, type Db, newId, recordEventsAndFanOut } from "@hookyard/db";
import { createTestDatabase, manifestPush, type Receiver, startReceiver, type TestDatabase } from "@hookyard/testkit";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";
import { acceptedEvent } from "./support/rows.js";

// Few letters, so that random globs and tags match often; "_" and "." are what LIKE or a careless
// translation would treat specially.
const letter = fc.constantFrom("a", "b", "_", ".", "-");
const tag = fc.string({ unit: letter, minLength: 1, maxLength: 6 });
const glob = fc.string({ unit: fc.oneof(letter, fc.constant("*")), minLength: 1, maxLength: 6 });

describe("fan-out's tag filter in Postgres", () => {
  let database: TestDatabase;
  let db: Db;
  let authorId: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = createDb(database.url);
    authorId = (await db.user.create({ data: { id: newId("user"), name: "author" } })).id;
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  it("gives every event to exactly the webhooks core's tagPassesFilter says", async () => {
    let run = 0; // each run on a repository of its own
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(glob, { maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.option(tag), { minLength: 1, maxLength: 8 }),
        async (filters, tags) => {
          const repository = `acme/r${run++}`;
          const webhooks = await Promise.all(
            filters.map((filterTags) =>
              db.webhook.create({
                data: {
                  id: newId("webhook"),
                  name: "w",
                  url: "http://x",
                  events: ["TAG_PUSH"],
                  repository,
                  filterTags,
                  authorId,
                },
              }),
            ),
          );
          const events = tags.map((t) => acceptedEvent({ repository, tag: t }));
          const results = await recordEventsAndFanOut(db, events);
          const got = new Set<string>();
          for (const result of results) {
            if (result instanceof Error) throw result;
            const deliveries = await db.delivery.findMany({ where: { eventId: result.eventId } });
            for (const d of deliveries) got.add(`${d.webhookId} ${d.eventId}`);
          }
          const expected = new Set<string>();
          events.forEach((event, i) => {
            for (const w of webhooks) {
              if (tagPassesFilter(w.filterTags, event.tag))
                expected.add(`${w.id} ${results[i] && "eventId" in results[i] ? results[i].eventId : ""}`);
            }
          });
          expect([...got].sort()).toEqual([...expected].sort());
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("a webhook's tag filter, through the API", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });
  afterEach(() => {
    receiver.requests.length = 0;
  });

  it("delivers only release tags to a deploy hook, and everything once the filter is removed", async () => {
    const deploy = await hookyard.createWebhook({
      name: "deploy",
      url: `${receiver.url}/deploy`,
      events: ["TAG_PUSH", "MANIFEST_PUSH"],
      repository: "acme/web",
      filter: { tags: ["v*", "release-*"] },
    });
    const all = await hookyard.createWebhook({
      name: "all",
      url: `${receiver.url}/all`,
      events: ["TAG_PUSH", "MANIFEST_PUSH"],
      repository: "acme/web",
    });
    const shown = await hookyard.request("GET", `/api/v1/webhooks/${deploy.id}`);
    expect(shown.json.filter).toEqual({ tags: ["v*", "release-*"] });

    // A push by tag gives TAG_PUSH (with the tag) and MANIFEST_PUSH (which, as in DTR, names the
    // digest only); a push by digest gives MANIFEST_PUSH alone. No MANIFEST_PUSH has a tag to pass.
    for (const t of ["v1.2.0", "latest", "release-2026.11", "nightly-v1"]) {
      expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: t }))).status).toBe(202);
    }
    expect((await hookyard.ingestDistribution(manifestPush({ repository: "acme/web" }))).status).toBe(202);

    // Fan-out creates every delivery of an event at once: once "all" has its 9, "deploy" has its own.
    await hookyard.settledDeliveries(all.id, 9);
    const delivered = await hookyard.settledDeliveries(deploy.id, 2);
    expect(delivered).toHaveLength(2);
    const deployTags = receiver.requests
      .filter((r) => r.path === "/deploy")
      .map((r) => `${(r.json as { type: string }).type} ${(r.json as { contents: { tag?: string } }).contents.tag}`)
      .sort();
    expect(deployTags).toEqual(["TAG_PUSH release-2026.11", "TAG_PUSH v1.2.0"]);

    const removed = await hookyard.request("PATCH", `/api/v1/webhooks/${deploy.id}`, { body: { filter: null } });
    expect(removed.status).toBe(200);
    expect(removed.json.filter).toBeNull();
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "latest" }));
    const after = await hookyard.settledDeliveries(deploy.id, 4);
    expect(after.map((d) => (d as unknown as { eventType: string }).eventType).sort()).toEqual([
      "MANIFEST_PUSH",
      "TAG_PUSH",
      "TAG_PUSH",
      "TAG_PUSH",
    ]);
  });

  it("refuses a bad glob naming it, and a filter that could let nothing through, changing nothing", async () => {
    const base = { name: "x", url: `${receiver.url}/x`, events: ["TAG_PUSH"], repository: "acme/web" };
    const cases: Array<[unknown, RegExp]> = [
      [{ tags: ["v*", "v%"] }, /^filter\.tags\[1\]: must be 1 to 128 characters/],
      [{ tags: [] }, /^filter\.tags: list at least one glob/],
      [{ tags: ["v*"], labels: ["x"] }, /^filter\.labels: is not a known field/],
      [["v*"], /^filter: /],
    ];
    for (const [filter, message] of cases) {
      const res = await hookyard.request("POST", "/api/v1/webhooks", { body: { ...base, filter } });
      expect(res.status, JSON.stringify(filter)).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
    const namespaceOnly = await hookyard.request("POST", "/api/v1/webhooks", {
      body: { name: "repos", url: receiver.url, events: ["REPO_*"], namespace: "acme", filter: { tags: ["v*"] } },
    });
    expect(namespaceOnly.status).toBe(400);
    expect(namespaceOnly.json.error.message).toMatch(/^filter\.tags: none of the webhook's event types carries a tag/);

    const hook = await hookyard.createWebhook({ ...base, filter: { tags: ["v*"] } });
    const bad = await hookyard.request("PATCH", `/api/v1/webhooks/${hook.id}`, {
      body: { name: "renamed", filter: { tags: ["a b"] } },
    });
    expect(bad.status).toBe(400);
    const kept = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}`);
    expect(kept.json).toMatchObject({ name: "x", filter: { tags: ["v*"] } });
  });
});
