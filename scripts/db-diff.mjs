// Writes the SQL that takes the committed migrations to prisma/schema.prisma as a new migration:
//   pnpm db:diff <name>
// It applies the existing migrations to a scratch database with our runner, then asks the
// Prisma 6.19 CLI (WASM schema engine, see docs/decisions/0002-migrations.md) for the difference.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { ensureDatabase, migrate } from "@hookyard/db";
import pg from "pg";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: pnpm db:diff <name_in_snake_case>");
  process.exit(2);
}
const base = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/hookyard";
const scratch = new URL(base);
scratch.pathname = `/hookyard_diff_${process.pid}`;
await ensureDatabase(scratch.toString());
try {
  await migrate(scratch.toString());
  mkdirSync(".tmp/prisma6", { recursive: true });
  // Prisma 6 wants a url in the schema; Prisma 7 forbids it. Give 6 a copy that has one.
  const schema = readFileSync("prisma/schema.prisma", "utf8").replace(
    'provider = "postgresql"',
    'provider = "postgresql"\n  url      = env("DATABASE_URL")',
  );
  writeFileSync(".tmp/prisma6/schema.prisma", schema);
  const diff = spawnSync(
    process.execPath,
    [
      "node_modules/prisma6/build/index.js", "migrate", "diff", "--config", "scripts/prisma6.config.ts",
      "--from-url", scratch.toString(), "--to-schema-datamodel", ".tmp/prisma6/schema.prisma", "--script",
    ],
    { env: { ...process.env, ...prisma6Env(), DATABASE_URL: scratch.toString() }, encoding: "utf8" },
  );
  if (diff.status !== 0) throw new Error(diff.stderr);
  if (diff.stdout.includes("This is an empty migration")) {
    console.log("schema.prisma and the migrations agree: nothing to write");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = `prisma/migrations/${stamp}_${name}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/migration.sql`, diff.stdout);
    console.log(`wrote ${dir}/migration.sql`);
  }
} finally {
  const admin = new pg.Client({ connectionString: base.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${scratch.pathname.slice(1)}" WITH (FORCE)`);
  await admin.end();
}

/** Stops the Prisma 6 CLI from trying to download native engines it will not use. */
export function prisma6Env() {
  return { PRISMA_QUERY_ENGINE_LIBRARY: process.execPath, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
}
