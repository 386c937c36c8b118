import { type AttemptRecord, createDb, type Db, newId, recordAttempts } from "@hookyard/db";
import { createTestDatabase, type TestDatabase } from "@hookyard/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pendingDelivery as pendingDeliveryRow, webhookRow } from "./support/rows.js";

describe("recordAttempts", () => {
  let database: TestDatabase;
  let db: Db;
  beforeEach(async () => {
    database = await createTestDatabase();
    db = createDb(database.url);
  });
  afterEach(async () => {
    await db.$disconnect();
    await database.drop();
  });

  const pendingDelivery = async () => pendingDeliveryRow(db, await webhookRow(db));

  const attempt = (deliveryId: string, statusCode: number): AttemptRecord => ({
    deliveryId,
    attemptId: newId("attempt"),
    startedAt: new Date(),
    durationMs: 3,
    statusCode,
    error: statusCode < 300 ? null : `HTTP ${statusCode}`,
    requestHeaders: {},
    responseHeaders: {},
    responseBody: "",
    succeeded: statusCode < 300,
    final: false,
    disableWebhook: null,
  });

  it("books the same delivery twice in one batch as attempts 1 and 2", async () => {
    const id = await pendingDelivery();
    const other = await pendingDelivery();
    const outcomes = await recordAttempts(db, [attempt(id, 500), attempt(other, 200), attempt(id, 200)], 8);
    expect(outcomes).toMatchObject([
      { n: 1, status: "pending" },
      { n: 1, status: "succeeded" },
      { n: 2, status: "succeeded" },
    ]);
    const rows = await db.deliveryAttempt.findMany({ where: { deliveryId: id }, orderBy: { n: "asc" } });
    expect(rows.map((r) => [r.n, r.statusCode])).toEqual([
      [1, 500],
      [2, 200],
    ]);
  });

  it("keeps the request body each attempt sent, and none for one that sent nothing", async () => {
    const id = await pendingDelivery();
    const body = '{"repository":{"repo_name":"acme/web"},"callback_url":"[redacted]"}';
    await recordAttempts(
      db,
      [
        { ...attempt(id, 500), requestBody: body },
        { ...attempt(id, 500), requestBody: null },
      ],
      8,
    );
    const rows = await db.deliveryAttempt.findMany({ where: { deliveryId: id }, orderBy: { n: "asc" } });
    expect(rows.map((r) => r.requestBody)).toEqual([body, null]);
  });

  it("fails a delivery on its last attempt and answers null for one that is gone", async () => {
    const id = await pendingDelivery();
    const [failed, missing] = await recordAttempts(db, [attempt(id, 503), attempt("dlv_missing", 200)], 1);
    expect(failed).toMatchObject({ n: 1, status: "failed" });
    expect(missing).toBe(null);
  });

  it("books an attempt once however often it is booked (its first answer was lost with the connection)", async () => {
    const id = await pendingDelivery();
    const first = attempt(id, 500);
    expect(await recordAttempts(db, [first], 8)).toMatchObject([{ n: 1, status: "pending" }]);
    expect(await recordAttempts(db, [first], 8)).toMatchObject([{ n: 1, status: "pending" }]);
    expect(await recordAttempts(db, [first, attempt(id, 200)], 8)).toMatchObject([
      { n: 1, status: "pending" },
      { n: 2, status: "succeeded" },
    ]);
    expect(await db.deliveryAttempt.count({ where: { deliveryId: id } })).toBe(2);
  });

  it("disables the webhook in the same statement that books a 410 Gone", async () => {
    const id = await pendingDelivery();
    const gone = { ...attempt(id, 410), final: true, disableWebhook: "the receiver answered 410 Gone" };
    const [outcome] = await recordAttempts(db, [gone], 8);
    expect(outcome).toMatchObject({ n: 1, status: "failed" });
    const delivery = await db.delivery.findUniqueOrThrow({ where: { id }, include: { webhook: true } });
    expect(delivery.webhook).toMatchObject({ enabled: false, disabledReason: "the receiver answered 410 Gone" });
  });

  it("keeps a final status final: a late attempt is booked in the history and moves nothing", async () => {
    const canceled = await pendingDelivery();
    const succeeded = await pendingDelivery();
    const failed = await pendingDelivery();
    await db.delivery.update({ where: { id: canceled }, data: { status: "canceled", completedAt: new Date() } });
    await recordAttempts(db, [attempt(succeeded, 200)], 3);
    await recordAttempts(db, [attempt(failed, 500)], 1);
    const before = await db.delivery.findMany({ where: { id: { in: [canceled, succeeded, failed] } } });

    // A worker's attempt that went out before the delivery ended, booked after (a DELETE of its
    // webhook, another worker's success, the last attempt's failure).
    const late = await recordAttempts(db, [attempt(canceled, 500), attempt(succeeded, 503), attempt(failed, 200)], 3);
    expect(late.map((outcome) => (outcome as { status: string }).status)).toEqual(["canceled", "succeeded", "failed"]);
    const after = await db.delivery.findMany({ where: { id: { in: [canceled, succeeded, failed] } } });
    for (const row of after) {
      const was = before.find((b) => b.id === row.id);
      expect({ status: row.status, completedAt: row.completedAt }).toEqual({
        status: was?.status,
        completedAt: was?.completedAt,
      });
      expect(row.attemptCount).toBe((was?.attemptCount ?? 0) + 1);
    }
    expect(await db.deliveryAttempt.count({ where: { deliveryId: canceled } })).toBe(1);
  });
});
