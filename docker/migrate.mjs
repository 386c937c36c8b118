// One-shot database migration for container deployments (the `migrate` target of
// docker/Dockerfile, the `migrate` service of docker/compose.yaml). What `pnpm start` does before
// it starts the API and a worker (scripts/start.mjs), and nothing else:
//   1. create the database named in DATABASE_URL if it does not exist yet;
//   2. apply the pending prisma/migrations through @hookyard/db's runner (which books them in
//      `_prisma_migrations` exactly as `prisma migrate deploy` would).
// Exit code 0 when the schema is up to date, 78 for an unusable DATABASE_URL, 1 otherwise.
// It lives in /app of the API image: `import "@hookyard/db"` resolves from /app/node_modules.
import { ensureDatabase, MIGRATIONS_DIR, migrate } from "@hookyard/db";

const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/hookyard";
/** Postgres may still be starting when an orchestrator without health checks starts us. */
const CONNECT_PATIENCE_MS = 30_000;
const CONNECT_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "57P03"]);

const log = (message) => process.stderr.write(`hookyard-migrate: ${message}\n`);

const raw = process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
let databaseUrl;
try {
  databaseUrl = new URL(raw);
  if (!["postgresql:", "postgres:"].includes(databaseUrl.protocol)) throw new Error("protocol");
} catch {
  log("invalid configuration: DATABASE_URL: must be a URL starting with postgresql:// or postgres://");
  process.exit(78);
}
const where = `${databaseUrl.hostname}:${databaseUrl.port || 5432}${databaseUrl.pathname}`;

async function withPatience(what, fn) {
  const deadline = Date.now() + CONNECT_PATIENCE_MS;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!CONNECT_ERRORS.has(error?.code) || Date.now() >= deadline) throw error;
      log(`${what}: ${error.code}, trying again in 1 s`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

try {
  log(`database ${where}, migrations from ${MIGRATIONS_DIR}`);
  if (await withPatience("connecting", () => ensureDatabase(raw))) log(`created the database ${where}`);
  const { applied, alreadyApplied } = await withPatience("connecting", () => migrate(raw));
  for (const name of applied) log(`applied ${name}`);
  log(
    applied.length
      ? `done: ${applied.length} applied, ${alreadyApplied.length} already applied before`
      : `done: nothing pending (${alreadyApplied.length} already applied)`,
  );
} catch (error) {
  log(`failed: ${error?.message ?? String(error)}`);
  process.exit(1);
}
