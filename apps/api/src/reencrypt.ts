// Re-encryption of webhooks' stored secrets and headers with the current (first) key of
// HOOKYARD_ENCRYPTION_KEYS, and of those stored in clear before encryption (docs/decisions/0013):
//   pnpm secrets:reencrypt                  (a checkout; the local key of pnpm start when unset)
//   node dist/reencrypt.js                  (in the API image, e.g. kubectl exec deploy/hookyard-api --)
// Reads the same settings as the API (DATABASE_URL, HOOKYARD_ENCRYPTION_KEYS). Safe to run while
// Hookyard runs, and again: it works through the webhooks in batches by id and writes only values
// not under the current key yet. Exit code 0 once nothing is stored under another key or in clear,
// 1 when something is left (it says what), 78 for a bad setting.
import { type Config, ConfigError, loadConfig } from "@hookyard/config";
import { countStoredSecrets, createDb, reencryptWebhookSecrets, type StoredSecretCount } from "@hookyard/db";

const say = (line: string) => process.stdout.write(`hookyard-reencrypt: ${line}\n`);

function describe(counts: StoredSecretCount[]): string {
  if (counts.length === 0) return "none";
  return counts.map((c) => `${c.values} ${c.keyId === null ? "in clear" : `under "${c.keyId}"`}`).join(", ");
}

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`hookyard-reencrypt: invalid configuration: ${error.message}\n`);
  process.exit(78);
}

const keys = config.encryptionKeys;
const db = createDb(config.databaseUrl, { poolSize: 2, encryptionKeys: keys });
try {
  say(`current key "${keys.currentId}"; stored values before: ${describe(await countStoredSecrets(db))}`);
  const report = await reencryptWebhookSecrets(db, {
    // Every 10 batches of 500: a sign of life on a large table, nothing on a small one.
    onBatch: (progress) => {
      if (progress.webhooks % 5_000 === 0) say(`${progress.webhooks} webhooks read, ${progress.rewritten} rewritten`);
    },
  });
  say(
    `${report.webhooks} webhooks read; ${report.rewritten} rewritten (${report.values} values), ${report.changedMeanwhile} changed meanwhile, ${report.unreadable.length} unreadable`,
  );
  for (const { reason } of report.unreadable) say(`not re-encrypted: ${reason}`);
  const after = await countStoredSecrets(db);
  const left = after.filter((c) => c.keyId !== keys.currentId);
  say(`stored values after: ${describe(after)}`);
  if (left.length === 0 && report.unreadable.length === 0) {
    const unused = keys.ids.filter((id) => id !== keys.currentId);
    say(
      unused.length
        ? `done: every stored value is under "${keys.currentId}"; no longer needed: ${unused.map((id) => `"${id}"`).join(", ")}`
        : `done: every stored value is under "${keys.currentId}"`,
    );
  } else {
    say(
      report.unreadable.length > 0
        ? "not done: some values do not decrypt with these keys (see above)"
        : report.changedMeanwhile > 0
          ? "not done: some webhooks changed while this ran (by a process whose first key is another?): run it again"
          : `not done: ${describe(left)} left`,
    );
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`hookyard-reencrypt: failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
