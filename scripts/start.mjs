// `pnpm start`: create the database if it is missing, apply the migrations, then run the API and
// one worker as child processes until SIGINT/SIGTERM, which is passed on to both. Exits 0 only
// after such a stop; when a child dies on its own it stops the other and exits non-zero (1, or
// 128 + the signal's number), so a supervisor restarts Hookyard. Without HOOKYARD_ENCRYPTION_KEYS
// it makes a key for local use and hands it to both (local-encryption-key.mjs). When Postgres or
// Redis cannot be used it says why and how to get them (service-trouble.mjs), and exits 1; it
// does not start them (package.json runs check-node.cjs before it, for the Node version).
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { ConfigError, loadConfig } from "@hookyard/config";
import { ensureDatabase, migrate } from "@hookyard/db";
import { useLocalEncryptionKey } from "./local-encryption-key.mjs";
import { checkRedis, explainPostgres } from "./service-trouble.mjs";

let local;
try {
  local = useLocalEncryptionKey({ create: true });
} catch (error) {
  console.error(`hookyard: cannot keep a local encryption key: ${error.message}; set HOOKYARD_ENCRYPTION_KEYS`);
  process.exit(78);
}
if (local?.made) {
  console.error(
    `hookyard: HOOKYARD_ENCRYPTION_KEYS is not set: made a key for local use in ${local.file} (readable by you only). Webhook secrets are stored encrypted with it: keep that file, or they cannot be read`,
  );
} else if (local) {
  console.error(`hookyard: HOOKYARD_ENCRYPTION_KEYS is not set: using the local key in ${local.file}`);
}

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`hookyard: invalid configuration: ${error.message}`);
  process.exit(78);
}

try {
  if (await ensureDatabase(config.databaseUrl)) console.error("hookyard: created the database");
  const { applied } = await migrate(config.databaseUrl);
  console.error(`hookyard: migrations applied: ${applied.length ? applied.join(", ") : "none pending"}`);
} catch (error) {
  console.error(explainPostgres(error, config.databaseUrl));
  process.exit(1);
}
// The worker would wait for Redis forever and the API answer 503: say what is wrong instead.
const redisTrouble = await checkRedis(config);
if (redisTrouble) {
  console.error(redisTrouble);
  process.exit(1);
}

const processes = [
  { name: "API", entry: "apps/api/dist/main.js" },
  { name: "worker", entry: "apps/worker/dist/main.js" },
];
const children = processes.map(({ entry }) =>
  spawn(process.execPath, ["--enable-source-maps", entry], { stdio: "inherit" }),
);

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
process.on("SIGINT", () => stopAll("SIGINT"));
process.on("SIGTERM", () => stopAll("SIGTERM"));

/** How a child ended, for the message and for our own exit code (a shell's 128 + n for a signal). */
function ending(code, signal) {
  if (signal) return { how: `was killed by ${signal}`, exitCode: 128 + (constants.signals[signal] ?? 0) };
  return { how: `exited with code ${code}`, exitCode: code === 0 ? 0 : 1 };
}

// If one process dies, stop the other too: a half-running Hookyard would accept events nobody
// sends. Unless we were asked to stop, a child that ends is a failure, even with code 0, so a
// supervisor restarts Hookyard; the first failure decides the exit code.
let exitCode = null;
await Promise.all(
  children.map(
    (child, i) =>
      new Promise((resolve) =>
        child.on("exit", (code, signal) => {
          const name = processes[i].name;
          const other = processes[1 - i].name;
          const end = ending(code, signal);
          if (!stopping) {
            console.error(`hookyard: the ${name} ${end.how}; stopping the ${other}`);
            exitCode = end.exitCode || 1;
          } else if (end.exitCode !== 0) {
            // A graceful stop ends with code 0; anything else is worth saying, and a failure.
            console.error(`hookyard: the ${name} ${end.how} while stopping`);
            exitCode ??= end.exitCode;
          }
          stopAll("SIGTERM");
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode ?? 0);
