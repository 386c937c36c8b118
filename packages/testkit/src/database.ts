import { randomBytes } from "node:crypto";
import { ensureDatabase, migrate } from "@hookyard/db";
import pg from "pg";

/** The server the tests use; each test gets its own database on it. */
export const TEST_SERVER_URL = process.env.HOOKYARD_TEST_DATABASE_SERVER ?? "postgresql://postgres@127.0.0.1:5432";

/** Two checkouts testing at once on one server each name their own (HOOKYARD_TEST_TEMPLATE). */
const TEMPLATE = process.env.HOOKYARD_TEST_TEMPLATE ?? "hookyard_test_template";

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
 * Builds the migrated template once per test run (vitest globalSetup). It is rebuilt every run, so a
 * changed migration is always what the tests see.
 */
export async function prepareTemplateDatabase(): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`));
  await ensureDatabase(urlFor(TEMPLATE));
  await migrate(urlFor(TEMPLATE));
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test (a copy of the template: about 100 ms). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hookyard_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`));
  return {
    url: urlFor(name),
    name,
    drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** A name for a database that does not exist yet (for tests of creating it). */
export function unusedDatabaseUrl(): string {
  return urlFor(`hookyard_test_${randomBytes(6).toString("hex")}`);
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
