import type { AcceptedEvent } from "@hookyard/core";
import { type Db, eventRowData, newId } from "@hookyard/db";

/** A TAG_PUSH of acme/web as ingest would have accepted it, with fresh ids. */
export function acceptedEvent(overrides: Partial<AcceptedEvent> = {}): AcceptedEvent {
  return {
    id: newId("event"),
    type: "TAG_PUSH",
    dedupKey: newId("event"),
    source: "native",
    namespace: "acme",
    repository: "acme/web",
    tag: "1.0",
    digest: null,
    actor: null,
    occurredAt: new Date().toISOString(),
    data: {},
    ...overrides,
  };
}

/** A pending delivery to `webhookId` of a fresh event the webhook takes (its first type, in its scope); its id. */
export async function pendingDelivery(db: Db, webhookId: string): Promise<string> {
  const webhook = await db.webhook.findUniqueOrThrow({ where: { id: webhookId } });
  const namespace = webhook.repository?.split("/")[0] ?? webhook.namespace ?? "acme";
  const event = acceptedEvent({
    type: (webhook.events[0] ?? "TAG_PUSH") as AcceptedEvent["type"],
    namespace,
    repository: webhook.repository ?? `${namespace}/web`,
  });
  const stored = await db.event.create({ data: eventRowData(event) });
  const delivery = await db.delivery.create({ data: { id: newId("delivery"), webhookId, eventId: stored.id } });
  return delivery.id;
}

/** A webhook (and its author) straight in the database, for tests of the stores. */
export async function webhookRow(db: Db): Promise<string> {
  const user = await db.user.create({ data: { id: newId("user"), name: newId("user") } });
  const webhook = await db.webhook.create({
    data: { id: newId("webhook"), name: "w", url: "http://x", events: ["TAG_PUSH"], authorId: user.id },
  });
  return webhook.id;
}
