import { type Db, sql } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";

/**
 * Holds a webhook's deliveries until `until` (a receiver's 429 Retry-After, decision 0021): every
 * worker reads `not_before` with the webhook on each attempt, so the hold is shared at no extra
 * read. A later hold never shortens one already set.
 */
export async function holdWebhookUntil(db: Db, webhookId: string, until: Date): Promise<void> {
  await sql(
    db,
    Prisma.sql`UPDATE webhooks SET not_before = GREATEST(not_before, ${until}::timestamptz)
    WHERE id = ${webhookId}`,
  );
}
