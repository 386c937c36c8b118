import { checkInvariants, createTestDatabase, INVARIANTS, type TestDatabase } from "@hookyard/testkit";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/*
 * The checker itself (packages/testkit/src/invariants.ts): it finds what it should, naming the
 * offending ids, and finds nothing in a database that holds no lie.
 */
describe("the invariants' checker", () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeEach(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterEach(async () => {
    await client.end();
    await database.drop();
  });

  it("finds nothing in a fresh database", async () => {
    expect(await checkInvariants(database.url)).toEqual([]);
  });

  it("names each lie it finds with its ids, and leaves out what a test waives", async () => {
    await client.query(`
      INSERT INTO webhooks (id, name, url, events, namespace, repository, enabled, deleted_at, updated_at) VALUES
        ('wh_dead', 'a', 'http://x', '{PUSH}', 'ns', 'ns/a', true, now() - interval '1 hour', now() - interval '1 hour'),
        ('wh_live', 'b', 'http://x', '{PUSH}', 'ns', 'ns/b', true, NULL, now() - interval '1 hour');
      INSERT INTO events (id, dedup_key, type, source, namespace, repository, occurred_at, data) VALUES
        ('evt_test', 'test:1', 'PUSH', 'test', 'ns', 'ns/a', now(), '{}'),
        ('evt_push', 'k2', 'DELETE', 'distribution', 'other', 'other/c', now(), '{}');
      INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, test, completed_at) VALUES
        ('dlv_t1', 'wh_dead', 'evt_test', 'succeeded', 0, true, now()),
        ('dlv_t2', 'wh_live', 'evt_test', 'pending', 3, false, NULL),
        ('dlv_p', 'wh_live', 'evt_push', 'canceled', 0, false, NULL);
      INSERT INTO delivery_attempts (id, delivery_id, n, started_at, duration_ms, request_headers, request_body, trimmed_at) VALUES
        ('att_1', 'dlv_t2', 1, now(), 1, '{}', NULL, NULL), ('att_3', 'dlv_t2', 3, now(), 1, '{}', '{"a":1}', now());`);
    const lines = await checkInvariants(database.url);
    const expected = [
      "[test-event-one-webhook] test event evt_test has deliveries dlv_t1 to wh_dead (test), dlv_t2 to wh_live (not a test)",
      "[deleted-webhook-disabled] webhook wh_dead is deleted",
      "[deleted-webhook-unmatched] delivery dlv_t1 of deleted webhook wh_dead was made at",
      "[completed-at-when-final] delivery dlv_p is canceled with completed_at null",
      "[attempts-numbered] delivery dlv_t2 has attempt_count 3 but attempts [1,3]",
      "[trimmed-attempt-bare] attempt att_3 of delivery dlv_t2 was trimmed at",
      "[status-follows-attempts] delivery dlv_t1 is succeeded but no attempt after 0 got a 2xx",
      "[delivery-matches-webhook] delivery dlv_p of event evt_push (DELETE in other/c) went to webhook wh_live of ns/b",
    ];
    for (const line of expected) expect(lines.some((found) => found.startsWith(line))).toBe(true);
    // dlv_t1: attempt_count 0 and no attempts agree; that line must not be there.
    expect(lines.some((found) => found.includes("dlv_t1 has attempt_count 0"))).toBe(false);
    const all = INVARIANTS.map((invariant) => invariant.name);
    expect(await checkInvariants(database.url, { waived: all })).toEqual([]);
    for (const name of all) database.waive(name, "this test writes every lie there is, to find them");
  });
});
