import { generateToken, hashToken } from "@hookyard/core";
import { adminHasToken, type Db, ensureBootstrapAdmin, storeGeneratedAdminToken } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";

/**
 * HOOKYARD_ADMIN_TOKEN, when set, is the bootstrap admin's token, and replaces the one set (or
 * generated) before it: a token taken out of the environment stops working. Without it, the first
 * start makes one and prints it once, on stderr and outside the JSON log, so it never reaches a log
 * pipeline.
 */
export async function bootstrapAdmin(db: Db, adminToken: string | null, logger: Logger): Promise<void> {
  if (adminToken) {
    const { replaced } = await ensureBootstrapAdmin(db, hashToken(adminToken));
    if (replaced > 0) {
      logger.info("HOOKYARD_ADMIN_TOKEN replaced the admin's earlier token; that one no longer works", { replaced });
    }
    return;
  }
  if (await adminHasToken(db)) return;
  const token = generateToken();
  if (!(await storeGeneratedAdminToken(db, hashToken(token)))) return;
  process.stderr.write(
    `\nHookyard created the admin user. Its API token, shown only this once:\n\n    ${token}\n\nKeep it; set HOOKYARD_ADMIN_TOKEN to choose your own instead.\n\n`,
  );
  logger.info("bootstrap admin created; its token was printed once on stderr");
}
