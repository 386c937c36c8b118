import type { Db } from "../client.js";
import { type PayloadFormat, Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { webhookStateEvents } from "./operational.js";
import { openWebhookSecrets, sealWebhookSecrets } from "./webhook-secrets.js";

export interface NewWebhook {
  name: string;
  url: string;
  events: string[];
  namespace: string | null;
  repository: string | null;
  format: PayloadFormat;
  secret: string | null;
  headers: Record<string, string>;
  /** Tag globs; empty for no filter. */
  filterTags: string[];
  tlsCert: string | null;
  skipTlsVerification: boolean;
  enabled: boolean;
  authorId: string;
}

/** Stores the webhook, its secret and headers encrypted (stores/webhook-secrets.ts); returns it readable. */
export async function insertWebhook(db: Db, webhook: NewWebhook) {
  const id = newId("webhook");
  const row = await db.webhook.create({ data: { id, ...webhook, ...sealWebhookSecrets(db, id, webhook) } });
  return openWebhookSecrets(db, row);
}

/** A webhook that has not been deleted, its secrets and headers readable. */
export async function findWebhook(db: Db, id: string) {
  const row = await db.webhook.findFirst({ where: { id, deletedAt: null } });
  return row && openWebhookSecrets(db, row);
}

export type WebhookChanges = Partial<
  Pick<
    NewWebhook,
    | "name"
    | "url"
    | "events"
    | "format"
    | "secret"
    | "headers"
    | "filterTags"
    | "tlsCert"
    | "skipTlsVerification"
    | "enabled"
  >
> & {
  disabledReason?: string | null;
  previousSecret?: string | null;
  previousSecretUntil?: Date | null;
  enabledAt?: Date;
};

/** Changes a webhook; pausing or enabling it also reports WEBHOOK_DISABLED or WEBHOOK_ENABLED, in the same transaction. */
export async function updateWebhook(db: Db, id: string, changes: WebhookChanges) {
  const data = { ...changes, ...sealWebhookSecrets(db, id, changes) };
  const row =
    changes.enabled === undefined
      ? await db.webhook.update({ where: { id }, data })
      : await reportingState(db, id, (tx) => tx.webhook.update({ where: { id }, data }));
  return openWebhookSecrets(db, row);
}

/**
 * Runs `change` in a transaction holding the webhook's row, and writes WEBHOOK_ENABLED or
 * WEBHOOK_DISABLED to the outbox (decision 0008) when it flipped `enabled`, in the same transaction.
 */
async function reportingState<T>(db: Db, id: string, change: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<
      Array<{ enabled: boolean }>
    >`SELECT enabled FROM webhooks WHERE id = ${id} FOR UPDATE`;
    const result = await change(tx);
    if (before) {
      await tx.$executeRaw`
        WITH changed AS (SELECT * FROM webhooks WHERE id = ${id} AND enabled <> ${before.enabled})
        ${webhookStateEvents(Prisma.sql`changed`)}`;
    }
    return result;
  });
}

/**
 * Gives a webhook a new secret; the one it had keeps signing beside it until `graceMs` from now (none
 * when 0). One statement, so two rotations at once leave one previous secret, never a mix. The old
 * secret moves as it is stored: both columns are encrypted for the same context.
 */
export async function rotateWebhookSecret(db: Db, id: string, secret: string, graceMs: number) {
  const [row] = await db.$queryRaw<Array<{ previous_secret_until: Date | null }>>`
    UPDATE webhooks SET
      previous_secret = CASE WHEN ${graceMs} > 0 AND secret IS NOT NULL THEN secret END,
      previous_secret_until = CASE WHEN ${graceMs} > 0 AND secret IS NOT NULL
                                   THEN now() + make_interval(secs => ${graceMs / 1000}) END,
      secret = ${sealWebhookSecrets(db, id, { secret }).secret},
      updated_at = now()
    WHERE id = ${id} AND deleted_at IS NULL
    RETURNING previous_secret_until`;
  return row ? { previousSecretUntil: row.previous_secret_until } : null;
}

/**
 * Deletes a webhook as its users see it: it is disabled and marked deleted (no longer listed,
 * matched or changed) and its pending deliveries are canceled; the row and its deliveries stay, so
 * their history remains readable. Returns how many deliveries were canceled.
 */
export async function deleteWebhook(db: Db, id: string, reason: string): Promise<number> {
  return reportingState(db, id, async (tx) => {
    await tx.webhook.update({ where: { id }, data: { enabled: false, disabledReason: reason, deletedAt: new Date() } });
    const canceled = await tx.delivery.updateMany({
      where: { webhookId: id, status: "pending" },
      data: { status: "canceled", completedAt: new Date() },
    });
    // Out of its chain: later runs skip it; runs under way end (stores/chain-runs.ts sweepChainRuns).
    await tx.chainLink.deleteMany({ where: { webhookId: id } });
    return canceled.count;
  });
}

/** The webhooks a user may see: all for admins; else those in scopes they hold a grant on. */
export async function listWebhooks(
  db: Db,
  filter: {
    /** null: webhooks of no repository (namespace and global ones). */
    repository?: string | null;
    namespace?: string;
    authorId?: string;
    visibleTo?: { repositories: readonly string[]; namespaces: readonly string[] };
  },
) {
  const where: Prisma.WebhookWhereInput = {
    deletedAt: null,
    ...(filter.repository !== undefined ? { repository: filter.repository } : {}),
    ...(filter.namespace ? { namespace: filter.namespace } : {}),
    ...(filter.authorId ? { authorId: filter.authorId } : {}),
  };
  if (filter.visibleTo) {
    where.OR = [
      { repository: { in: [...filter.visibleTo.repositories] } },
      { namespace: { in: [...filter.visibleTo.namespaces] } },
    ];
  }
  const rows = await db.webhook.findMany({ where, orderBy: { id: "desc" }, take: 500 });
  return rows.map((row) => openWebhookSecrets(db, row));
}

/**
 * Moves the webhooks' last success times forward (never back), for a batch of webhooks at once.
 * Rows are locked in id order first, so two workers flushing overlapping sets cannot deadlock.
 */
export async function recordWebhookSuccesses(db: Db, successes: ReadonlyArray<readonly [string, Date]>) {
  if (successes.length === 0) return;
  await db.$executeRaw`
    WITH v AS (
      SELECT * FROM unnest(${successes.map(([id]) => id)}::text[], ${successes.map(([, at]) => at)}::timestamptz[])
      AS v(id, at)),
    locked AS (SELECT w.id FROM webhooks w JOIN v ON v.id = w.id ORDER BY w.id FOR UPDATE OF w)
    UPDATE webhooks w SET last_successful_at = v.at
    FROM v JOIN locked l ON l.id = v.id
    WHERE w.id = v.id AND (w.last_successful_at IS NULL OR w.last_successful_at < v.at)`;
}

/** The chain a webhook is a step of, if any. */
export async function chainOfWebhook(db: Db, webhookId: string): Promise<string | null> {
  const link = await db.chainLink.findUnique({ where: { webhookId }, select: { chainId: true } });
  return link?.chainId ?? null;
}

export interface LastDelivery {
  id: string;
  status: string;
  lastStatusCode: number | null;
  createdAt: Date;
}

/** Each webhook's newest delivery (one index probe per webhook), for the lists that show it. */
export async function lastDeliveries(db: Db, webhookIds: readonly string[]): Promise<Map<string, LastDelivery>> {
  if (webhookIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Array<LastDelivery & { webhookId: string }>>`
    SELECT w.id AS "webhookId", d.id, d.status::text AS status, d.last_status_code AS "lastStatusCode",
           d.created_at AS "createdAt"
    FROM unnest(${[...webhookIds]}::text[]) AS w(id)
    CROSS JOIN LATERAL (
      SELECT id, status, last_status_code, created_at FROM deliveries
      WHERE webhook_id = w.id ORDER BY created_at DESC, id DESC LIMIT 1) d`;
  return new Map(rows.map(({ webhookId, ...delivery }) => [webhookId, delivery]));
}
