import type { EncryptionKeys } from "@hookyard/core";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { type Prisma, PrismaClient } from "./generated/prisma/client.js";
import { SecretBox } from "./secret-box.js";

export type Db = PrismaClient;

/** The node-postgres pool behind each client createDb made (sql() sends through it). */
const pools = new WeakMap<Db, pg.Pool>();
/** What each client seals and opens webhooks' secrets with (stores/webhook-secrets.ts). */
const boxes = new WeakMap<Db, SecretBox>();

/**
 * Prisma through node-postgres: no native query engine at run time. `encryptionKeys`
 * (HOOKYARD_ENCRYPTION_KEYS) seal webhooks' secrets and headers as the stores write them and open
 * them as they read them; a client without keys reads only values stored in clear.
 */
export function createDb(
  databaseUrl: string,
  options: { poolSize?: number; encryptionKeys?: EncryptionKeys } = {},
): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  // An idle connection that Postgres closes (a restart) is reported here; without a listener it
  // would end the process. The next statement on it fails, and the callers handle that.
  pool.on("error", () => {});
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  pools.set(db, pool);
  boxes.set(db, new SecretBox(options.encryptionKeys ?? null));
  const disconnect = db.$disconnect.bind(db);
  // The pool is ours, so Prisma leaves it open: close it with the client.
  db.$disconnect = async () => {
    await disconnect();
    if (!pool.ended) await pool.end();
  };
  return db;
}

/**
 * A raw statement (built with Prisma.sql) straight through node-postgres: what $queryRaw does,
 * without Prisma's per-statement work (about 0.2 ms of CPU here whatever the statement's size), for
 * the statements of the delivery path (docs/decisions/0009). Rows come as node-postgres makes them:
 * int8 and numeric as strings, timestamps as Dates, json parsed.
 */
export async function sql<T>(db: Db, statement: Prisma.Sql): Promise<T[]> {
  const pool = pools.get(db);
  if (!pool) return db.$queryRawUnsafe<T[]>(statement.text, ...statement.values);
  const result = await pool.query(statement.text, statement.values as unknown[]);
  return result.rows as T[];
}

/** The client's SecretBox; one without keys for a client made elsewhere (a transaction's). */
export function secretBoxOf(db: Db): SecretBox {
  let box = boxes.get(db);
  if (!box) {
    box = new SecretBox(null);
    boxes.set(db, box);
  }
  return box;
}
