import type { AcceptedEvent } from "@hookyard/core";
import { type Db, sql } from "../client.js";
import { type DeliveryStatus, type PayloadFormat, Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { type CountedPage, countedPage, type PageQuery, readPageById } from "../paging.js";
import { isolateFailures } from "../store-errors.js";
import { type EventRow, eventRowData } from "./events.js";
import { openWebhookSecrets } from "./webhook-secrets.js";

/** What sending a delivery needs of its row, its webhook's and its event's. */
export interface DeliveryForSending {
  id: string;
  status: DeliveryStatus;
  test: boolean;
  webhook: {
    id: string;
    name: string;
    url: string;
    format: PayloadFormat;
    template: string | null;
    templateContentType: string | null;
    secret: string | null;
    previousSecret: string | null;
    previousSecretUntil: Date | null;
    headers: unknown;
    tlsCert: string | null;
    skipTlsVerification: boolean;
    enabled: boolean;
    /** Deliveries per second at most; null: none (decision 0021). */
    rateLimit: number | null;
    /** Nothing is sent before this (a receiver's 429 Retry-After); null: no wait. */
    notBefore: Date | null;
  };
  event: EventRow & { id: string };
}

type SendingRow = Pick<DeliveryForSending, "id" | "status" | "test"> & {
  webhook: DeliveryForSending["webhook"];
} & DeliveryForSending["event"] & { eventId: string };

/**
 * One statement for a batch: the delivery joined to its webhook (as one JSON value) and its event.
 * The webhook's secrets and headers are opened here (decision 0013); one that cannot be read fails
 * its own delivery only, with an error naming the webhook.
 */
async function loadBatch(db: Db, deliveryIds: readonly string[]): Promise<Array<DeliveryForSending | null | Error>> {
  const rows = await sql<SendingRow>(
    db,
    Prisma.sql`
    SELECT d.id, d.status::text AS status, d.test,
           ${SENDING_WEBHOOK} AS webhook,
           e.id AS "eventId", e.type, e.dedup_key AS "dedupKey", e.source, e.namespace, e.repository, e.tag,
           e.digest, e.actor, e.occurred_at AS "occurredAt", e.data, e.subject_webhook_id AS "subjectWebhookId"
    FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
    WHERE d.id = ANY(${[...deliveryIds]}::text[])`,
  );
  const byId = new Map<string, DeliveryForSending | Error>();
  for (const { id, status, test, webhook, eventId, ...event } of rows) {
    const readable = readableWebhook(db, webhook);
    byId.set(
      id,
      readable instanceof Error ? readable : { id, status, test, webhook: readable, event: { ...event, id: eventId } },
    );
  }
  return deliveryIds.map((id) => byId.get(id) ?? null);
}

/** What sending needs of a webhook, as one JSON value; `enabled` is false for a deleted one too. */
const SENDING_WEBHOOK = Prisma.sql`json_build_object('id', w.id, 'name', w.name, 'url', w.url, 'format', w.format,
  'template', w.template, 'templateContentType', w.template_content_type, 'secret', w.secret,
  'previousSecret', w.previous_secret, 'previousSecretUntil', w.previous_secret_until,
  'headers', w.headers, 'tlsCert', w.tls_cert, 'skipTlsVerification', w.skip_tls_verification,
  'enabled', w.enabled AND w.deleted_at IS NULL, 'rateLimit', w.rate_limit, 'notBefore', w.not_before)`;

export type SendingWebhook = DeliveryForSending["webhook"];

/** A webhook as SENDING_WEBHOOK read it, its secrets opened (decision 0013); the error of one that cannot be. */
function readableWebhook(db: Db, webhook: SendingWebhook): SendingWebhook | Error {
  const until = webhook.previousSecretUntil as unknown as string | null;
  const notBefore = webhook.notBefore as unknown as string | null;
  try {
    return {
      ...openWebhookSecrets(db, webhook),
      previousSecretUntil: until === null ? null : new Date(until),
      notBefore: notBefore === null ? null : new Date(notBefore),
    };
  } catch (error) {
    return error as Error;
  }
}

/**
 * Webhooks as sending needs them, for a batch of ids (one statement): what fan-out's first
 * attempts read, since their deliveries are not written yet. Null for one that no longer exists;
 * an Error for one whose secrets cannot be read.
 */
export async function loadWebhooksForSending(
  db: Db,
  webhookIds: readonly string[],
): Promise<Array<SendingWebhook | null | Error>> {
  const rows = await sql<{ webhook: SendingWebhook }>(
    db,
    Prisma.sql`SELECT ${SENDING_WEBHOOK} AS webhook FROM webhooks w WHERE w.id = ANY(${[...webhookIds]}::text[])`,
  );
  const byId = new Map(rows.map(({ webhook }) => [webhook.id, readableWebhook(db, webhook)]));
  return webhookIds.map((id) => byId.get(id) ?? null);
}

/** Deliveries with their webhook and event, for a batch of ids (one statement); a row Postgres
 * cannot read back fails alone, and so does one whose webhook's secrets cannot be read (an Error in
 * its place). */
export function loadDeliveriesForSending(db: Db, deliveryIds: readonly string[]) {
  return isolateFailures(deliveryIds, (batch) => loadBatch(db, batch));
}

export interface DeliverySummary {
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
  /** Which push it is: the event's repository, tag, digest and actor (each null when the event has none). */
  repository: string | null;
  tag: string | null;
  digest: string | null;
  actor: string | null;
}

/** What a webhook's deliveries may be narrowed to; each one given must hold. */
export interface DeliverySearch {
  status?: DeliveryStatus | undefined;
  /** The event's tag, exactly. */
  tag?: string | undefined;
  eventId?: string | undefined;
  /** Made at or after this. */
  from?: Date | undefined;
  /** Made before this. */
  to?: Date | undefined;
}

/**
 * Newest first (ids are time-ordered TypeIDs), each with its event's push in the same statement
 * (one join), and how many match, counted up to a cap. A tag is found through events_tag_idx and
 * each of its events' delivery by the (event_id, webhook_id) key; an event id by that key alone; a
 * time range through (webhook_id, created_at).
 */
export async function listDeliveries(
  db: Db,
  webhookId: string,
  query: PageQuery & DeliverySearch,
): Promise<CountedPage<DeliverySummary>> {
  const where = searchConditions(webhookId, query);
  return countedPage(
    readPageById(query, "desc", ({ idAfter, take }) =>
      sql<DeliverySummary>(
        db,
        Prisma.sql`
        SELECT d.id, d.event_id AS "eventId", e.type AS "eventType", d.status::text AS status,
               d.attempt_count AS attempts, d.last_status_code AS "lastStatusCode", d.created_at AS "createdAt",
               d.completed_at AS "completedAt", d.test, e.repository, e.tag, e.digest, e.actor,
               (SELECT a.duration_ms FROM delivery_attempts a WHERE a.delivery_id = d.id ORDER BY a.n DESC LIMIT 1)
                 AS "durationMs"
        FROM deliveries d JOIN events e ON e.id = d.event_id
        WHERE ${where}${idAfter && "lt" in idAfter ? Prisma.sql` AND d.id < ${idAfter.lt}` : Prisma.empty}
        ORDER BY d.id DESC LIMIT ${take}`,
      ),
    ),
    (take) => countUpTo(db, where, take),
  );
}

function searchConditions(webhookId: string, search: DeliverySearch): Prisma.Sql {
  const conditions = [Prisma.sql`d.webhook_id = ${webhookId}`];
  if (search.status) conditions.push(Prisma.sql`d.status = ${search.status}::delivery_status`);
  if (search.tag !== undefined) conditions.push(Prisma.sql`e.tag = ${search.tag}`);
  if (search.eventId !== undefined) conditions.push(Prisma.sql`d.event_id = ${search.eventId}`);
  if (search.from) conditions.push(Prisma.sql`d.created_at >= ${search.from}`);
  if (search.to) conditions.push(Prisma.sql`d.created_at < ${search.to}`);
  return Prisma.join(conditions, " AND ");
}

/** The matching rows counted, reading at most `take` of them (a LIMITed subquery). */
async function countUpTo(db: Db, where: Prisma.Sql, take: number): Promise<number> {
  const [row] = await sql<{ n: number }>(
    db,
    Prisma.sql`SELECT count(*)::int AS n FROM (
      SELECT 1 FROM deliveries d JOIN events e ON e.id = d.event_id WHERE ${where} LIMIT ${take}) matching`,
  );
  return row?.n ?? 0;
}

export async function getDeliveryWithAttempts(db: Db, deliveryId: string) {
  return db.delivery.findUnique({
    where: { id: deliveryId },
    include: {
      event: { select: { type: true, repository: true, tag: true, digest: true, actor: true } },
      attempts: { orderBy: { n: "asc" } },
      callback: true,
    },
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

/** Cancels a delivery that is still pending; one that reached a final status meanwhile keeps it. */
export async function cancelPending(db: Db, deliveryId: string): Promise<void> {
  await db.delivery.updateMany({
    where: { id: deliveryId, status: "pending" },
    data: { status: "canceled", completedAt: new Date() },
  });
}
