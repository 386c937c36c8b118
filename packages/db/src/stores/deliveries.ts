import type { Db } from "../client.js";
import type { DeliveryStatus } from "../generated/prisma/client.js";

export async function loadDeliveryForSending(db: Db, deliveryId: string) {
  return db.delivery.findUnique({
    where: { id: deliveryId },
    include: { webhook: true, event: true },
  });
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
    include: { event: { select: { type: true } } },
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
    })),
    nextCursor: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getDeliveryWithAttempts(db: Db, deliveryId: string) {
  return db.delivery.findUnique({
    where: { id: deliveryId },
    include: { event: { select: { type: true } }, attempts: { orderBy: { n: "asc" } } },
  });
}
