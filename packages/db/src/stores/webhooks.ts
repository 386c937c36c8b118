import type { PayloadFormat } from "@hookyard/core";
import type { Db } from "../client.js";
import { Prisma, type Webhook } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { type CountedPage, countedPage, type Page, type PageQuery, readPageById } from "../paging.js";
import { webhookStateEvents } from "./operational.js";
import { openWebhookSecrets, sealWebhookSecrets } from "./webhook-secrets.js";

export interface NewWebhook {
  name: string;
  url: string;
  events: string[];
  namespace: string | null;
  repository: string | null;
  format: PayloadFormat;
  /** A `template` webhook's Liquid template and its deliveries' Content-Type; null for other formats. */
  template?: string | null;
  templateContentType?: string | null;
  secret: string | null;
  headers: Record<string, string>;
  /** Tag globs; empty for no filter. */
  filterTags: string[];
  tlsCert: string | null;
  skipTlsVerification: boolean;
  /** Deliveries per second at most; null or absent: none (/api/v0 has no such field). */
  rateLimit?: number | null;
  enabled: boolean;
  authorId: string;
}

/** Inserts a webhook, its secret and headers encrypted (stores/webhook-secrets.ts), and returns it
 * readable; within its scope's limit when `tx` is withinWebhookLimit's (stores/webhook-limits.ts). */
export async function insertWebhook(db: Db, webhook: NewWebhook, tx: Db | Prisma.TransactionClient = db) {
  const id = newId("webhook");
  const row = await tx.webhook.create({ data: { id, ...webhook, ...sealWebhookSecrets(db, id, webhook) } });
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
    | "template"
    | "templateContentType"
    | "secret"
    | "headers"
    | "filterTags"
    | "tlsCert"
    | "skipTlsVerification"
    | "rateLimit"
    | "enabled"
  >
> & {
  disabledReason?: string | null;
  previousSecret?: string | null;
  previousSecretUntil?: Date | null;
  enabledAt?: Date;
};

/**
 * Changes a webhook that is not deleted; pausing or enabling it also reports WEBHOOK_DISABLED or
 * WEBHOOK_ENABLED, in the same transaction. Null when it is deleted (before, or meanwhile: a
 * DELETE that commits first wins, and nothing brings the webhook back).
 */
export async function updateWebhook(db: Db, id: string, changes: WebhookChanges) {
  const data = { ...changes, ...sealWebhookSecrets(db, id, changes) };
  const row = await reportingState(db, id, (tx) => tx.webhook.update({ where: { id }, data }));
  return row && openWebhookSecrets(db, row);
}

/**
 * Runs `change` in a transaction holding the webhook's row, if it is not deleted (else null, and
 * `change` does not run), and writes WEBHOOK_ENABLED or WEBHOOK_DISABLED to the outbox (decision
 * 0008) when it flipped `enabled`, in the same transaction.
 */
async function reportingState<T>(
  db: Db,
  id: string,
  change: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T | null> {
  return db.$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<
      Array<{ enabled: boolean }>
    >`SELECT enabled FROM webhooks WHERE id = ${id} AND deleted_at IS NULL FOR UPDATE`;
    if (!before) return null;
    const result = await change(tx);
    await tx.$executeRaw`
      WITH changed AS (SELECT * FROM webhooks WHERE id = ${id} AND enabled <> ${before.enabled})
      ${webhookStateEvents(Prisma.sql`changed`)}`;
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
 * their history remains readable. Returns how many deliveries were canceled; null when it was
 * deleted already.
 */
export async function deleteWebhook(db: Db, id: string, reason: string): Promise<number | null> {
  return reportingState(db, id, async (tx) => {
    // Postgres's now(), as the report of the change below is stamped: a client clock (a JS Date,
    // truncated to the ms where now() is rounded) could put the deletion before its own report.
    await tx.$executeRaw`
      UPDATE webhooks SET enabled = false, disabled_reason = ${reason}, deleted_at = now(), updated_at = now()
      WHERE id = ${id}`;
    const canceled = await tx.delivery.updateMany({
      where: { webhookId: id, status: "pending" },
      data: { status: "canceled", completedAt: new Date() },
    });
    // Out of its chain: later runs skip it; runs under way end (stores/chain-runs.ts sweepChainRuns).
    await tx.chainLink.deleteMany({ where: { webhookId: id } });
    return canceled.count;
  });
}

/** Which webhooks a list shows. */
export interface WebhookFilter {
  /** null: webhooks of no repository (namespace and global ones). */
  repository?: string | null;
  /** Webhooks of this namespace: its own and those of its repositories. */
  namespace?: string;
  /** Webhooks of one kind of scope only. */
  kind?: "repository" | "namespace" | "global";
  authorId?: string;
  visibleTo?: { repositories: readonly string[]; namespaces: readonly string[] };
}

const KIND_WHERE: Record<NonNullable<WebhookFilter["kind"]>, Prisma.WebhookWhereInput> = {
  repository: { repository: { not: null } },
  namespace: { repository: null, namespace: { not: null } },
  global: { repository: null, namespace: null },
};

/** The webhooks a user may see (all for admins; else those in scopes they hold a grant on), one page, newest first. */
export async function listWebhooks(db: Db, filter: WebhookFilter, page: PageQuery): Promise<CountedPage<Webhook>> {
  const where: Prisma.WebhookWhereInput = {
    deletedAt: null,
    ...(filter.repository !== undefined ? { repository: filter.repository } : {}),
    ...(filter.namespace ? { namespace: filter.namespace } : {}),
    ...(filter.authorId ? { authorId: filter.authorId } : {}),
  };
  const and: Prisma.WebhookWhereInput[] = [];
  if (filter.kind) and.push(KIND_WHERE[filter.kind]);
  if (filter.visibleTo) {
    and.push({
      OR: [
        { repository: { in: [...filter.visibleTo.repositories] } },
        { namespace: { in: [...filter.visibleTo.namespaces] } },
      ],
    });
  }
  if (and.length > 0) where.AND = and;
  const found = await countedPage(
    readPageById(page, "desc", ({ idAfter, ...window }) =>
      db.webhook.findMany({ where: { ...where, id: idAfter }, ...window }),
    ),
    (take) => db.webhook.count({ where, take }),
  );
  return { ...found, items: found.items.map((row) => openWebhookSecrets(db, row)) };
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
