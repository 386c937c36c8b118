import type { AcceptedEvent } from "@hookyard/core";
import {
  type AttemptRecord,
  classifyStoreError,
  createDb,
  type Db,
  loadDeliveriesForSending,
  newId,
  recordAttempts,
  recordEventsAndFanOut,
  UnstorableItemError,
} from "@hookyard/db";
import { createTestDatabase, type TestDatabase } from "@hookyard/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acceptedEvent, pendingDelivery as pendingDeliveryRow, webhookRow } from "./support/rows.js";

/*
 * The stores write whole batches in one statement. These feed them values that slip past the edge
 * (as a future source or a bug might let through) and check that only the item at fault fails.
 */
describe("batched writes isolate the item Postgres refuses", () => {
  let database: TestDatabase;
  let db: Db;
  let webhookId: string;
  beforeEach(async () => {
    database = await createTestDatabase();
    db = createDb(database.url);
    webhookId = await webhookRow(db);
  });
  afterEach(async () => {
    await db.$disconnect();
    await database.drop();
  });

  const event = acceptedEvent;
  const pendingDelivery = () => pendingDeliveryRow(db, webhookId);

  it("fans out every good event of a batch and fails only the refused ones, with Postgres's reason", async () => {
    const bad = [
      event({ tag: "a\u0000b" }),
      event({ data: { contents: { note: "\ud800" } } }),
      event({ occurredAt: "+010000-01-01T00:00:00.000Z" }),
    ];
    const good = Array.from({ length: 40 }, () => event());
    const batch = [
      ...good.slice(0, 13),
      bad[0],
      ...good.slice(13, 30),
      bad[1],
      bad[2],
      ...good.slice(30),
    ] as AcceptedEvent[];

    const results = await recordEventsAndFanOut(db, batch);

    const refused = results.flatMap((r, i) => (r instanceof UnstorableItemError ? [batch[i]?.id] : []));
    expect(refused.sort()).toEqual(bad.map((e) => e.id).sort());
    const reasons = results.filter((r) => r instanceof UnstorableItemError).map((r) => r.reason);
    expect(reasons).toEqual([
      expect.stringMatching(/^22021: invalid byte sequence/),
      expect.stringMatching(/^22P02: invalid input syntax for type json/),
      expect.stringMatching(/^22009: time zone displacement out of range/),
    ]);
    expect(await db.event.count()).toBe(40);
    expect(await db.delivery.count({ where: { webhookId } })).toBe(40);
    for (const [i, result] of results.entries()) {
      if (result instanceof UnstorableItemError) continue;
      expect(result.eventId).toBe(batch[i]?.id);
      expect(result.pendingDeliveries).toEqual([{ id: expect.any(String), webhookId }]);
    }
  });

  it("books every attempt of a batch; one Postgres refuses is booked without the receiver's answer", async () => {
    const good = await Promise.all(Array.from({ length: 10 }, () => pendingDelivery()));
    const hostile = await pendingDelivery();
    const record = (deliveryId: string, body: string, headers: Record<string, string>): AttemptRecord => ({
      deliveryId,
      attemptId: newId("attempt"),
      startedAt: new Date(),
      durationMs: 3,
      statusCode: 200,
      error: null,
      requestHeaders: { "content-type": "application/json" },
      responseHeaders: headers,
      responseBody: body,
      succeeded: true,
      final: false,
      disableWebhook: null,
    });
    const records = [
      ...good.slice(0, 5).map((id) => record(id, "ok", { server: "r" })),
      // Raw, as a receiver could send them if nothing cleaned them first.
      record(hostile, "bad\u0000body", { "x-evil": "a\u0000b" }),
      ...good.slice(5).map((id) => record(id, "ok", { server: "r" })),
    ];

    const outcomes = await recordAttempts(db, records, 4);

    expect(outcomes.every((o) => o !== null && !(o instanceof Error) && o.status === "succeeded")).toBe(true);
    const attempts = await db.deliveryAttempt.findMany();
    expect(attempts).toHaveLength(11);
    const stripped = attempts.find((a) => a.deliveryId === hostile);
    expect(stripped).toMatchObject({ statusCode: 200, responseBody: null, responseHeaders: null });
    expect(stripped?.error).toMatch(/not stored: Postgres refused this item: 22/);
    expect(attempts.filter((a) => a.deliveryId !== hostile).every((a) => a.responseBody === "ok")).toBe(true);
  });

  it("loads the deliveries of a batch even when one id cannot be sent to Postgres", async () => {
    const ids = await Promise.all(Array.from({ length: 4 }, () => pendingDelivery()));
    const loaded = await loadDeliveriesForSending(db, [ids[0] as string, "dlv_\u0000", ...ids.slice(1)]);
    expect(loaded[1]).toBeInstanceOf(UnstorableItemError);
    const found = loaded.flatMap((d) => (d === null || d instanceof Error ? [] : [d.id]));
    expect(found).toEqual(ids);
  });

  it("fails a whole batch, unsplit, when Postgres is away rather than refusing the data", async () => {
    const away = createDb("postgresql://postgres@127.0.0.1:1/nowhere");
    try {
      const error = await recordEventsAndFanOut(away, [event(), event()]).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(UnstorableItemError);
      expect(classifyStoreError(error)).toBe("unavailable");
    } finally {
      await away.$disconnect();
    }
  });
});
