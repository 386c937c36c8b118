// Writes the SQL that takes the committed schema to the edited prisma/schema.prisma as a new
// migration:   pnpm db:diff <name_in_snake_case> [git ref of the last migrated schema, default HEAD]
// Prisma refuses to diff against a live database when it runs through a driver adapter, so the
// starting point is the schema as committed (committed schema and migrations always go together;
// tests/migrations.test.ts checks that they agree).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { prisma6 } from "./prisma6.js";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: pnpm db:diff <name_in_snake_case>");
  process.exit(2);
}
const ref = process.argv[3] ?? "HEAD";
mkdirSync(".tmp/prisma6", { recursive: true });
const previous = execFileSync("git", ["show", `${ref}:prisma/schema.prisma`], { encoding: "utf8" });
writeFileSync(
  ".tmp/prisma6/previous.prisma",
  previous.replace('provider = "postgresql"', 'provider = "postgresql"\n  url      = env("DATABASE_URL")'),
);
const databaseUrl = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/hookyard";
const diff = await prisma6(
  [
    "migrate",
    "diff",
    "--from-schema-datamodel",
    ".tmp/prisma6/previous.prisma",
    "--to-schema-datamodel",
    ".tmp/prisma6/schema.prisma",
    "--script",
  ],
  databaseUrl,
);
if (diff.status !== 0) throw new Error(diff.stderr);
if (diff.stdout.includes("This is an empty migration")) {
  console.log(`prisma/schema.prisma has not changed since ${ref}: nothing to write`);
} else {
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = `prisma/migrations/${stamp}_${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/migration.sql`, diff.stdout);
  console.log(`wrote ${dir}/migration.sql`);
}
