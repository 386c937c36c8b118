import { freePort, TEST_SERVER_URL } from "@hookyard/testkit";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { classifyStoreError, isolateFailures, UnstorableItemError } from "./store-errors.js";

/*
 * Against the machine's Postgres, in a temporary table of this session's own: what Postgres says
 * when it refuses an item, or cannot be reached, is what these functions read.
 */
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: `${TEST_SERVER_URL}/postgres` });
  await client.connect();
  await client.query("CREATE TEMP TABLE items (n int NOT NULL CHECK (n >= 0))");
});

afterAll(async () => {
  await client.end();
});

beforeEach(async () => {
  await client.query("TRUNCATE items");
});

/** One multi-row INSERT: all or nothing, as isolateFailures needs. */
async function insertAll(items: readonly number[]): Promise<number[]> {
  const result = await client.query<{ n: number }>("INSERT INTO items SELECT unnest($1::int[]) RETURNING n", [items]);
  return result.rows.map((row) => row.n);
}

async function stored(): Promise<number[]> {
  return (await client.query<{ n: number }>("SELECT n FROM items ORDER BY n")).rows.map((row) => row.n);
}

describe("isolateFailures", () => {
  it("writes every item Postgres takes, once, and marks only the refused ones, in their places", async () => {
    const results = await isolateFailures([1, -1, 2, 3, -5, 4, 5], insertAll);
    expect(results.map((r) => (r instanceof UnstorableItemError ? "refused" : r))).toEqual([
      1,
      "refused",
      2,
      3,
      "refused",
      4,
      5,
    ]);
    // The refusal carries Postgres's own words, for the item's log line or dead letter.
    expect((results[1] as UnstorableItemError).reason).toMatch(/^23514: .*items_n_check/);
    expect(await stored()).toEqual([1, 2, 3, 4, 5]);
  });

  it("writes the whole batch in one statement when nothing is refused", async () => {
    let statements = 0;
    const results = await isolateFailures([7, 8, 9], (items) => {
      statements++;
      return insertAll(items);
    });
    expect(results).toEqual([7, 8, 9]);
    expect(statements).toBe(1);
  });

  it("runs the batch again when Postgres chose it as a serialization victim, without blaming an item", async () => {
    let runs = 0;
    const results = await isolateFailures([1, 2], async (items) => {
      runs++;
      if (runs === 1) {
        await client.query("DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END $$");
      }
      return insertAll(items);
    });
    expect(results).toEqual([1, 2]);
    expect(runs).toBe(2);
    expect(await stored()).toEqual([1, 2]);
  });

  it("fails the whole batch with the error itself when the code is at fault, blaming no item", async () => {
    let runs = 0;
    const error = await isolateFailures([1, 2, 3], async (items) => {
      runs++;
      return (items as unknown as { missing: { rows: number[] } }).missing.rows;
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(runs).toBe(1);
    expect(await stored()).toEqual([]);
  });

  it("fails the whole batch with the store's own error when Postgres cannot be reached", async () => {
    const away = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${await freePort()}/postgres` });
    const refused = await away.connect().then(
      () => null,
      (error: unknown) => error,
    );
    expect(classifyStoreError(refused)).toBe("unavailable");
    await expect(
      isolateFailures([1, 2, 3], () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
  });
});
