import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDatabase, migrate } from "@hookyard/db";
import pg from "pg";
import { beforeDropHooks, liveDatabases } from "./drop-hooks.js";
import type { InvariantName } from "./invariants.js";

/** The server the tests use; each test gets its own database on it. */
export const TEST_SERVER_URL = process.env.HOOKYARD_TEST_DATABASE_SERVER ?? "postgresql://postgres@127.0.0.1:5432";

const MIGRATIONS = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));

/**
 * The template is named for the migrations it holds, so runs of two checkouts at once on one server
 * (or of one checkout with changed migrations) never drop or use each other's.
 */
function templateName(): string {
  if (process.env.HOOKYARD_TEST_TEMPLATE) return process.env.HOOKYARD_TEST_TEMPLATE;
  const hash = createHash("sha256");
  for (const dir of readdirSync(MIGRATIONS).sort()) {
    const file = join(MIGRATIONS, dir, "migration.sql");
    if (existsSync(file)) hash.update(dir).update(readFileSync(file));
  }
  return `hookyard_tpl_${hash.digest("hex").slice(0, 16)}`;
}

const TEMPLATE = templateName();

function urlFor(database: string): string {
  return `${TEST_SERVER_URL}/${database}`;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor("postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Builds the migrated template (vitest globalSetup) unless one of these migrations exists. It is built
 * under a name of its own and renamed when done, so a run beside never copies a half-migrated one.
 */
export async function prepareTemplateDatabase(): Promise<void> {
  const exists = await withAdmin((c) => c.query("SELECT 1 FROM pg_database WHERE datname = $1", [TEMPLATE]));
  if (exists.rowCount) return;
  const building = `${TEMPLATE}_${randomBytes(4).toString("hex")}`;
  await ensureDatabase(urlFor(building));
  await migrate(urlFor(building));
  await withAdmin(async (c) => {
    try {
      await c.query(`ALTER DATABASE ${building} RENAME TO ${TEMPLATE}`);
    } catch (error) {
      // Another run built the same template meanwhile: use theirs.
      await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      if ((error as { code?: string }).code !== "42P04") throw error;
    }
  });
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Invariants this database's test breaks on purpose (waive), with why. */
  readonly waived: ReadonlyMap<InvariantName, string>;
  /**
   * Says that this test breaks an invariant on purpose (it writes rows directly to stand for a
   * crash or old data, say), so the check before the drop leaves it out. Use sparingly, with why.
   */
  waive(invariant: InvariantName, why: string): void;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test (a copy of the template: about 100 ms). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hookyard_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`));
  const waived = new Map<InvariantName, string>();
  const database: TestDatabase = {
    url: urlFor(name),
    name,
    waived,
    waive: (invariant, why) => {
      waived.set(invariant, why);
    },
    drop: async () => {
      if (!liveDatabases.delete(database)) return;
      try {
        for (const hook of beforeDropHooks) await hook(database);
      } finally {
        await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      }
    },
  };
  liveDatabases.add(database);
  return database;
}

/** A name for a database that does not exist yet (for tests of creating it). */
export function unusedDatabaseUrl(): string {
  return urlFor(`hookyard_test_${randomBytes(6).toString("hex")}`);
}

export async function dropDatabase(url: string): Promise<void> {
  const made = [...liveDatabases].find((database) => database.url === url);
  if (made) return made.drop();
  const name = new URL(url).pathname.slice(1);
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
