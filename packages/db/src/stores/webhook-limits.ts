// How many webhooks one scope may hold (HOOKYARD_MAX_WEBHOOKS_PER_SCOPE, or a global admin's limit
// for that scope): every event of a scope fans out to each of its webhooks, so a scope with no bound
// could flood Redis and Postgres for every tenant with one push.
import type { Db } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";
import { type Page, type PageQuery, readPage } from "../paging.js";

/** A webhook's scope as its row holds it: a repository ("ns/repo", with its namespace), a namespace, or neither (global). */
export interface WebhookScopeRow {
  namespace: string | null;
  repository: string | null;
}

/** The key of a scope: "repository:ns/repo", "namespace:ns" or "global" (webhook_limits.scope, and the lock's name). */
export function webhookScopeKey(scope: WebhookScopeRow): string {
  if (scope.repository !== null) return `repository:${scope.repository}`;
  if (scope.namespace !== null) return `namespace:${scope.namespace}`;
  return "global";
}

/** The scope a key names (the inverse of webhookScopeKey). */
function scopeOfKey(key: string): WebhookScopeRow {
  if (key.startsWith("repository:")) {
    const repository = key.slice("repository:".length);
    return { repository, namespace: repository.split("/")[0] ?? null };
  }
  if (key.startsWith("namespace:")) return { repository: null, namespace: key.slice("namespace:".length) };
  return { repository: null, namespace: null };
}

/** The undeleted webhooks of exactly this scope (a namespace's own, not its repositories'). */
function inScope(scope: WebhookScopeRow): Prisma.Sql {
  if (scope.repository !== null) return Prisma.sql`repository = ${scope.repository}`;
  if (scope.namespace !== null) return Prisma.sql`repository IS NULL AND namespace = ${scope.namespace}`;
  return Prisma.sql`repository IS NULL AND namespace IS NULL`;
}

/** The first key of pg_advisory_xact_lock(int, int) for webhook scopes: their own key space. */
const SCOPE_LOCK_CLASS = 0x77686b73; // "whks"

export interface WebhookLimitRefusal {
  refused: "webhook_limit";
  scope: string;
  max: number;
  /** The scope's undeleted webhooks: `max` or more. */
  count: number;
  /** Where `max` comes from: a global admin's limit for this scope, or the setting. */
  source: LimitSource;
}

export type LimitSource = "admin" | "setting";

/** Each client's creates, chained by scope key: the promise of the last one of each scope. */
const queued = new WeakMap<Db, Map<string, Promise<unknown>>>();

/**
 * Runs the creates of one scope through one client one after another. They would wait for the
 * scope's lock anyway; waiting here instead holds no pooled connection, so a burst of creates in one
 * scope cannot take every connection of the pool (and time out waiting for one) from the rest.
 */
function oneAtATime<T>(db: Db, key: string, run: () => Promise<T>): Promise<T> {
  const chains = queued.get(db) ?? new Map<string, Promise<unknown>>();
  queued.set(db, chains);
  const result = (chains.get(key) ?? Promise.resolve()).then(run, run);
  const settled = result.then(
    () => {},
    () => {},
  );
  chains.set(key, settled);
  void settled.then(() => {
    if (chains.get(key) === settled) chains.delete(key);
  });
  return result;
}

/**
 * Runs `insert` (a webhook of `scope`) in a transaction that holds the scope's lock and has counted
 * its undeleted webhooks: with `max` of them already (the scope's own limit, else `defaultMax`) the
 * insert does not run. Creates of one scope wait for each other on that lock, whichever process
 * sends them, so any number of them at once end with at most `max` webhooks; creates of other
 * scopes do not wait.
 */
export async function withinWebhookLimit<T>(
  db: Db,
  scope: WebhookScopeRow,
  defaultMax: number,
  insert: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T | WebhookLimitRefusal> {
  const key = webhookScopeKey(scope);
  return oneAtATime(db, key, () =>
    db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SCOPE_LOCK_CLASS}::int, hashtext(${key}))`;
      const [row] = await tx.$queryRaw<Array<{ max: number | null; count: number }>>`
      SELECT (SELECT max FROM webhook_limits WHERE scope = ${key}) AS max,
             (SELECT count(*)::int FROM webhooks WHERE deleted_at IS NULL AND ${inScope(scope)}) AS count`;
      const max = row?.max ?? defaultMax;
      const count = row?.count ?? 0;
      if (count >= max) {
        return { refused: "webhook_limit", scope: key, max, count, source: row?.max == null ? "setting" : "admin" };
      }
      return insert(tx);
    }),
  );
}

export interface WebhookLimitView {
  /** "repository:ns/repo", "namespace:ns" or "global". */
  scope: string;
  repository: string | null;
  namespace: string | null;
  /** The scope's limit: a global admin's, else the setting's. */
  max: number;
  /** Where `max` comes from: a global admin's limit for this scope, or HOOKYARD_MAX_WEBHOOKS_PER_SCOPE. */
  source: LimitSource;
  /** Its undeleted webhooks now. */
  webhooks: number;
  updatedAt: Date | null;
}

type LimitRow = { scope: string; max: number | null; updatedAt: Date | null };

async function countWebhooks(db: Db, scope: WebhookScopeRow): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM webhooks WHERE deleted_at IS NULL AND ${inScope(scope)}`;
  return row?.n ?? 0;
}

async function present(db: Db, row: LimitRow, defaultMax: number): Promise<WebhookLimitView> {
  const scope = scopeOfKey(row.scope);
  return {
    scope: row.scope,
    repository: scope.repository,
    namespace: scope.repository === null ? scope.namespace : null,
    max: row.max ?? defaultMax,
    source: row.max === null ? "setting" : "admin",
    webhooks: await countWebhooks(db, scope),
    updatedAt: row.updatedAt,
  };
}

const LIMIT_COLUMNS = { scope: true, max: true, updatedAt: true } as const;

/** One scope's limit and webhooks. */
export async function findWebhookLimit(db: Db, scope: WebhookScopeRow, defaultMax: number): Promise<WebhookLimitView> {
  const key = webhookScopeKey(scope);
  const row = await db.webhookLimit.findUnique({ where: { scope: key }, select: LIMIT_COLUMNS });
  return present(db, row ?? { scope: key, max: null, updatedAt: null }, defaultMax);
}

/**
 * Sets a scope's limit (null: back to the setting). A limit below the scope's webhooks keeps them
 * all; only creating more is refused until enough are deleted.
 */
export async function setWebhookLimit(
  db: Db,
  scope: WebhookScopeRow,
  max: number | null,
  updatedBy: string,
  defaultMax: number,
): Promise<WebhookLimitView> {
  const key = webhookScopeKey(scope);
  if (max === null) {
    await db.webhookLimit.deleteMany({ where: { scope: key } });
  } else {
    await db.webhookLimit.upsert({
      where: { scope: key },
      create: { scope: key, max, updatedBy },
      update: { max, updatedBy },
    });
  }
  return findWebhookLimit(db, scope, defaultMax);
}

/** The scopes a global admin set a limit for, by key. */
export async function listWebhookLimits(db: Db, query: PageQuery, defaultMax: number): Promise<Page<WebhookLimitView>> {
  const page = await readPage(
    query,
    (take) =>
      db.webhookLimit.findMany({
        where: query.cursor === undefined ? {} : { scope: { gt: query.cursor } },
        orderBy: { scope: "asc" },
        take,
        select: LIMIT_COLUMNS,
      }),
    (row) => row.scope,
  );
  return {
    items: await Promise.all(page.items.map((row) => present(db, row, defaultMax))),
    nextCursor: page.nextCursor,
  };
}
