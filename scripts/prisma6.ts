// The Prisma 6.19 CLI runs its schema engine as WASM through a driver adapter; Prisma 7's CLI
// would download a native engine from a host this network cannot reach. We use it for two things
// only: writing new migrations (scripts/db-diff.ts) and proving in a test that our runner books
// migrations as `prisma migrate deploy` does. See docs/decisions/0002-migrations.md, and 0017 for
// why Prisma 7.10 cannot do either yet.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const WORK_DIR = ".tmp/prisma6";

const CONFIG = `import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma6/config";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  schema: "schema.prisma",
  migrations: { path: "../../prisma/migrations" },
  // A short idle timeout lets the CLI exit as soon as it is done instead of 10 s later.
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL, idleTimeoutMillis: 50 }),
});
`;

export interface Prisma6Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `prisma <args>` (6.19) from the repo root against `databaseUrl`. It takes about 11 s:
 * the CLI waits for its connection pool to time out before it exits. */
export function prisma6(args: string[], databaseUrl: string): Promise<Prisma6Result> {
  mkdirSync(WORK_DIR, { recursive: true });
  // Prisma 6 wants a url in the datasource block; Prisma 7 forbids it. Give 6 a copy that has one.
  const schema = readFileSync("prisma/schema.prisma", "utf8").replace(
    'provider = "postgresql"',
    'provider = "postgresql"\n  url      = env("DATABASE_URL")',
  );
  writeFileSync(`${WORK_DIR}/schema.prisma`, schema);
  writeFileSync(`${WORK_DIR}/prisma.config.ts`, CONFIG);
  const cli = ["node_modules/prisma6/build/index.js", ...args, "--config", `${WORK_DIR}/prisma.config.ts`];
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    // Stop the CLI from fetching native engines it will not use.
    PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
    PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
  return new Promise((resolve) => {
    execFile(process.execPath, cli, { env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}
