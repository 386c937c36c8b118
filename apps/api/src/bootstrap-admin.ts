import { generateToken, hashToken } from "@hookyard/core";
import { adminHasToken, type Db, ensureBootstrapAdmin } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";

/**
 * HOOKYARD_ADMIN_TOKEN, when set, is the bootstrap admin's token. Without it, the first start makes
 * one and prints it once, on stderr and outside the JSON log, so it never reaches a log pipeline.
 */
export async function bootstrapAdmin(db: Db, adminToken: string | null, logger: Logger): Promise<void> {
  if (adminToken) {
    await ensureBootstrapAdmin(db, hashToken(adminToken));
    return;
  }
  if (await adminHasToken(db)) return;
  const token = generateToken();
  await ensureBootstrapAdmin(db, hashToken(token));
  process.stderr.write(
    `\nHookyard created the admin user. Its API token, shown only this once:\n\n    ${token}\n\nKeep it; set HOOKYARD_ADMIN_TOKEN to choose your own instead.\n\n`,
  );
  logger.info("bootstrap admin created; its token was printed once on stderr");
}
