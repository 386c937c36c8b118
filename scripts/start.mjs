// `pnpm start`: create the database if it is missing, apply the migrations, then run the API and
// one worker as child processes until SIGINT/SIGTERM, which is passed on to both.
import { spawn } from "node:child_process";
import { ConfigError, loadConfig } from "@hookyard/config";
import { ensureDatabase, migrate } from "@hookyard/db";

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
  console.error(`hookyard: cannot prepare the database at DATABASE_URL: ${error.message}`);
  process.exit(1);
}

const children = ["apps/api/dist/main.js", "apps/worker/dist/main.js"].map((entry) =>
  spawn(process.execPath, ["--enable-source-maps", entry], { stdio: "inherit" }),
);

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
process.on("SIGINT", () => stopAll("SIGINT"));
process.on("SIGTERM", () => stopAll("SIGTERM"));

// If one process dies, stop the other too: a half-running Hookyard would accept events nobody sends.
let exitCode = 0;
await Promise.all(
  children.map(
    (child) =>
      new Promise((resolve) =>
        child.on("exit", (code) => {
          if (code) exitCode = code;
          stopAll("SIGTERM");
          resolve();
        }),
      ),
  ),
);
process.exit(exitCode);
