import { createDb, type Db } from "@hookyard/db";
import { createTestDatabase, type TestDatabase, waitFor } from "@hookyard/testkit";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSuccessClock } from "./success-clock.js";

let database: TestDatabase;
let db: Db;

beforeEach(async () => {
  database = await createTestDatabase();
  db = createDb(database.url);
  for (const id of ["wh_a", "wh_b"]) {
    await db.$executeRaw`INSERT INTO webhooks (id, name, url, events) VALUES (${id}, ${id}, 'http://127.0.0.1:9/', ARRAY['TAG_PUSH'])`;
  }
});

afterEach(async () => {
  vi.useRealTimers();
  await db.$disconnect();
  await database.drop();
});

async function lastSuccess(id: string): Promise<Date | null> {
  const row = await db.webhook.findUniqueOrThrow({ where: { id }, select: { lastSuccessfulAt: true } });
  return row.lastSuccessfulAt;
}

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second));

describe("the success clock", () => {
  it("writes each webhook's latest success, whatever order deliveries finished in, and never moves it back", async () => {
    const clock = createSuccessClock(db, 60_000);
    clock.note("wh_a", at(5));
    clock.note("wh_a", at(9));
    clock.note("wh_a", at(7));
    clock.note("wh_b", at(3));
    await clock.close();
    expect(await lastSuccess("wh_a")).toEqual(at(9));
    expect(await lastSuccess("wh_b")).toEqual(at(3));

    // Another worker's older success, written later, leaves the time where it is.
    const other = createSuccessClock(db, 60_000);
    other.note("wh_a", at(1));
    await other.close();
    expect(await lastSuccess("wh_a")).toEqual(at(9));
  });

  it("keeps the times of a flush Postgres cut off, the later one of each, for the next flush", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const clock = createSuccessClock(db, 1_000);
    // Another session holds the row, so the flush waits on it, in flight.
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT id FROM webhooks WHERE id = 'wh_a' FOR UPDATE");
      clock.note("wh_a", at(9));
      vi.advanceTimersByTime(1_000);
      const waiting = await waitFor(async () => {
        const rows = await holder.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return rows.rows[0]?.pid;
      });
      // Meanwhile a delivery that finished earlier is booked: an older time.
      clock.note("wh_a", at(5));
      // Postgres ends the flush's session (a restart, an administrator).
      await holder.query("SELECT pg_terminate_backend($1)", [waiting]);
      await holder.query("ROLLBACK");
    } finally {
      await holder.end();
    }
    await clock.close();
    expect(await lastSuccess("wh_a")).toEqual(at(9));
  });
});
