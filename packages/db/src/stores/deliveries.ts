import type { AcceptedEvent } from "@hookyard/core";
import type { Db } from "../client.js";
import type { DeliveryStatus } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { isolateFailures } from "../store-errors.js";
import { eventRowData } from "./events.js";

async function loadBatch(db: Db, deliveryIds: readonly string[]) {
  const rows = await db.delivery.findMany({
    where: { id: { in: [...deliveryIds] } },
    include: { webhook: true, event: true },
  });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return deliveryIds.map((id) => byId.get(id) ?? null);
}

export type DeliveryForSending = NonNullable<Awaited<ReturnType<typeof loadBatch>>[number]>;

/** Deliveries with their webhook and event, for a batch of ids (one query each for the three); a
 * row Postgres cannot read back fails alone. */
export function loadDeliveriesForSending(db: Db, deliveryIds: readonly string[]) {
  return isolateFailures(deliveryIds, (batch) => loadBatch(db, batch));
}

export interface DeliveryPage {
  items: Array<{
    id: string;
    eventId: string;
    eventType: string;
    status: DeliveryStatus;
    attempts: number;
    lastStatusCode: number | null;
    createdAt: Date;
    completedAt: Date | null;
    /** How long its latest attempt took; null before the first. */
    durationMs: number | null;
    test: boolean;
  }>;
  nextCursor: string | null;
}

/** Newest first; the cursor is the last id of the previous page (ids are time-ordered TypeIDs). */
export async function listDeliveries(
  db: Db,
  webhookId: string,
  query: { status?: DeliveryStatus; limit: number; cursor?: string },
): Promise<DeliveryPage> {
  const rows = await db.delivery.findMany({
    where: {
      webhookId,
      ...(query.status ? { status: query.status } : {}),
      ...(query.cursor ? { id: { lt: query.cursor } } : {}),
    },
    orderBy: { id: "desc" },
    take: query.limit + 1,
    include: {
      event: { select: { type: true } },
      attempts: { orderBy: { n: "desc" }, take: 1, select: { durationMs: true } },
    },
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((d) => ({
      id: d.id,
      eventId: d.eventId,
      eventType: d.event.type,
      status: d.status,
      attempts: d.attemptCount,
      lastStatusCode: d.lastStatusCode,
      createdAt: d.createdAt,
      completedAt: d.completedAt,
      durationMs: d.attempts[0]?.durationMs ?? null,
      test: d.test,
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getDeliveryWithAttempts(db: Db, deliveryId: string) {
  return db.delivery.findUnique({
    where: { id: deliveryId },
    include: { event: { select: { type: true } }, attempts: { orderBy: { n: "asc" } }, callback: true },
  });
}

/**
 * A test's event and its one delivery, marked as a test, in one transaction: the sample is kept in
 * the webhook's history like any delivery, and fan-out never sees it (it is not queued).
 */
export async function insertTestDelivery(db: Db, webhookId: string, event: AcceptedEvent): Promise<string> {
  const id = newId("delivery");
  await db.$transaction([
    db.event.create({ data: eventRowData(event) }),
    db.delivery.create({ data: { id, webhookId, eventId: event.id, test: true } }),
  ]);
  return id;
}
