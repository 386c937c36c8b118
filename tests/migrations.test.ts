import { readdirSync } from "node:fs";
import { ensureDatabase, MIGRATIONS_DIR, migrate } from "@hookyard/db";
import { dropDatabase, unusedDatabaseUrl } from "@hookyard/testkit";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { prisma6 } from "../scripts/prisma6.js";

const migrationNames = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function prismaMigrate(command: "deploy" | "status", databaseUrl: string) {
  return prisma6(["migrate", command], databaseUrl);
}

describe("migrations", () => {
  const created: string[] = [];
  afterEach(async () => {
    for (const url of created.splice(0)) await dropDatabase(url);
  });

  it("creates a missing database, applies every migration once, and is a no-op the second time", async () => {
    const url = unusedDatabaseUrl();
    created.push(url);
    expect(await ensureDatabase(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
    expect(await migrate(url)).toEqual({ applied: migrationNames, alreadyApplied: [] });
    expect(await migrate(url)).toEqual({ applied: [], alreadyApplied: migrationNames });

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    await client.end();
    expect(tables.rows.map((r) => r.tablename)).toEqual(
      expect.arrayContaining([
        "_prisma_migrations",
        "users",
        "api_tokens",
        "grants",
        "webhooks",
        "events",
        "deliveries",
        "delivery_attempts",
        "callbacks",
        "chains",
        "chain_links",
        "chain_runs",
        "chain_steps",
      ]),
    );
  });

  it("books migrations so that prisma migrate agrees, in both directions", async () => {
    const ours = unusedDatabaseUrl();
    created.push(ours);
    await ensureDatabase(ours);
    await migrate(ours);
    const theirs = unusedDatabaseUrl();
    created.push(theirs);
    await ensureDatabase(theirs);
    // Each CLI run takes about 11 s (scripts/prisma6.ts), so both run at once.
    const [deploy, applied] = await Promise.all([prismaMigrate("deploy", ours), prismaMigrate("deploy", theirs)]);
    expect(deploy.stdout + deploy.stderr).toContain("No pending migrations to apply");
    expect(deploy.status).toBe(0);
    expect(applied.status, applied.stderr).toBe(0);
    expect(await migrate(theirs)).toEqual({ applied: [], alreadyApplied: migrationNames });
  });
});
