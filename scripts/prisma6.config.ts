// Config for the Prisma 6.19 CLI, which can run its schema engine as WASM through a driver adapter
// (Prisma 7 removed that option and downloads a native engine, which is unreachable here).
// Used by scripts/db-diff.mjs to write new migrations, and by the compatibility test that runs
// `prisma migrate deploy` after our runner. See docs/decisions/0002-migrations.md.
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma6/config";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: "../prisma/schema.prisma",
  adapter: async () =>
    new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/hookyard",
    }),
});
