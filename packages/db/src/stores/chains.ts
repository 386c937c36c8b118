// Chains: create, read, change, delete (the API's chain routes).
import type { Db } from "../client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { type CountedPage, countedPage, type Page, type PageQuery, readPageById } from "../paging.js";

/** A chain's links in run order, each with what the API shows and checks of its webhook. */
const WITH_LINKS = {
  links: {
    orderBy: { position: "asc" },
    select: {
      position: true,
      webhook: {
        select: {
          id: true,
          name: true,
          enabled: true,
          disabledReason: true,
          deletedAt: true,
          format: true,
          repository: true,
        },
      },
    },
  },
} satisfies Prisma.ChainInclude;

export type ChainWithLinks = Prisma.ChainGetPayload<{ include: typeof WITH_LINKS }>;

export interface NewChain {
  name: string;
  repository: string;
  events: string[];
  /** In run order. */
  webhookIds: string[];
  authorId: string;
}

export type ChainChanges = Partial<Pick<NewChain, "name" | "events" | "webhookIds">>;

/** Why a chain's webhooks could not be written: one was deleted meanwhile, or is in another chain. */
export type ChainRefusal =
  | { refused: "webhook_gone"; webhookId: string }
  | { refused: "in_another_chain"; webhookId: string; chainId: string };

type Tx = Prisma.TransactionClient;

export async function findChain(db: Db, id: string): Promise<ChainWithLinks | null> {
  return db.chain.findUnique({ where: { id }, include: WITH_LINKS });
}

export async function insertChain(db: Db, chain: NewChain): Promise<ChainWithLinks | ChainRefusal> {
  const id = newId("chain");
  const { webhookIds, ...row } = chain;
  return withLinkConflicts(db, webhookIds, id, () =>
    db.$transaction(async (tx) => {
      const gone = await lockLiveWebhooks(tx, webhookIds);
      if (gone) return gone;
      await tx.chain.create({ data: { id, ...row } });
      await writeLinks(tx, id, webhookIds);
      return tx.chain.findUniqueOrThrow({ where: { id }, include: WITH_LINKS });
    }),
  );
}

/** Changes a chain; its links, when given, are replaced as a whole. Null when there is no such chain. */
export async function updateChain(
  db: Db,
  id: string,
  changes: ChainChanges,
): Promise<ChainWithLinks | ChainRefusal | null> {
  const { webhookIds, ...fields } = changes;
  return withLinkConflicts(db, webhookIds ?? [], id, () =>
    db.$transaction(async (tx) => {
      const gone = webhookIds ? await lockLiveWebhooks(tx, webhookIds) : null;
      if (gone) return gone;
      // Explicit, so that a change of the links alone moves updatedAt too.
      const { count } = await tx.chain.updateMany({ where: { id }, data: { ...fields, updatedAt: new Date() } });
      if (count === 0) return null;
      if (webhookIds) {
        // The old links first: a webhook kept in the chain would otherwise meet itself in UNIQUE(webhook_id).
        await tx.chainLink.deleteMany({ where: { chainId: id } });
        await writeLinks(tx, id, webhookIds);
      }
      return tx.chain.findUniqueOrThrow({ where: { id }, include: WITH_LINKS });
    }),
  );
}

/**
 * Deletes a chain, its runs and their steps (cascade), and cancels the deliveries of those steps
 * still pending: nobody could follow a run of a chain that is gone. The runs are locked first, so
 * a run moving on to its next step at the same moment either has made that step's delivery (which
 * is then canceled here) or finds its run gone. False when there was no such chain.
 */
export async function deleteChain(db: Db, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM chain_runs WHERE chain_id = ${id} ORDER BY id FOR UPDATE`;
    await tx.$executeRaw`
      UPDATE deliveries SET status = 'canceled', completed_at = now()
      WHERE status = 'pending'
        AND id IN (SELECT s.delivery_id FROM chain_steps s JOIN chain_runs r ON r.id = s.run_id WHERE r.chain_id = ${id})`;
    const { count } = await tx.chain.deleteMany({ where: { id } });
    return count > 0;
  });
}

/** The chains a user may see, newest first: all for admins; else those of repositories they hold a
 * grant on (a namespace's by prefix, which may take in more: the caller filters by its rule). */
export async function listChains(
  db: Db,
  filter: {
    repository?: string;
    visibleTo?: { repositories: readonly string[]; namespaces: readonly string[] };
  },
  page: PageQuery,
): Promise<CountedPage<ChainWithLinks>> {
  const where: Prisma.ChainWhereInput = filter.repository !== undefined ? { repository: filter.repository } : {};
  if (filter.visibleTo) {
    where.OR = [
      { repository: { in: [...filter.visibleTo.repositories] } },
      ...filter.visibleTo.namespaces.map((namespace) => ({ repository: { startsWith: `${namespace}/` } })),
    ];
  }
  return countedPage(
    readPageById(page, "desc", ({ idAfter, ...window }) =>
      db.chain.findMany({ where: { ...where, id: idAfter }, include: WITH_LINKS, ...window }),
    ),
    (take) => db.chain.count({ where, take }),
  );
}

/**
 * Locks the webhooks against deletion until the transaction ends (in id order, as every writer of
 * webhooks locks them), so that a webhook deleted meanwhile cannot end up in a chain. The first
 * one missing, or null when all are there.
 */
async function lockLiveWebhooks(tx: Tx, webhookIds: readonly string[]): Promise<ChainRefusal | null> {
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM webhooks WHERE id = ANY(${[...webhookIds]}::text[]) AND deleted_at IS NULL ORDER BY id FOR SHARE`;
  const live = new Set(rows.map((row) => row.id));
  const missing = webhookIds.find((webhookId) => !live.has(webhookId));
  return missing === undefined ? null : { refused: "webhook_gone", webhookId: missing };
}

/** Positions 1..n in the order given. */
async function writeLinks(tx: Tx, chainId: string, webhookIds: readonly string[]): Promise<void> {
  await tx.chainLink.createMany({
    data: webhookIds.map((webhookId, i) => ({ chainId, position: i + 1, webhookId })),
  });
}

/** Whether UNIQUE(webhook_id) of chain_links refused a row: Prisma's P2002, whose driver-adapter
 * cause names the index (or, for some statements, the fields). */
function isTakenWebhook(error: unknown): boolean {
  const { code, meta } = (error ?? {}) as {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { constraint?: { index?: string; fields?: string[] } } } };
  };
  const constraint = meta?.driverAdapterError?.cause?.constraint;
  return (
    code === "P2002" &&
    (constraint?.index === "chain_links_webhook_id_key" || constraint?.fields?.includes("webhook_id") === true)
  );
}

/**
 * Runs a write of a chain's links, turning UNIQUE(webhook_id) refusing one of them into the
 * refusal naming the webhook and the chain that holds it, read once the write has rolled back.
 */
async function withLinkConflicts<R>(
  db: Db,
  webhookIds: readonly string[],
  chainId: string,
  write: () => Promise<R>,
): Promise<R | ChainRefusal> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isTakenWebhook(error)) throw error;
      const held = await db.chainLink.findFirst({
        where: { webhookId: { in: [...webhookIds] }, chainId: { not: chainId } },
        select: { webhookId: true, chainId: true },
      });
      if (held) return { refused: "in_another_chain", ...held };
      // The chain that held it was deleted in between: the write may well go through now.
      if (attempt >= 2) throw error;
    }
  }
}
