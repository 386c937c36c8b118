import type { Db } from "../client.js";
import type { PayloadFormat, Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";

export interface NewWebhook {
  name: string;
  url: string;
  events: string[];
  namespace: string | null;
  repository: string | null;
  format: PayloadFormat;
  secret: string | null;
  headers: Record<string, string>;
  enabled: boolean;
  authorId: string;
}

export async function insertWebhook(db: Db, webhook: NewWebhook) {
  return db.webhook.create({ data: { id: newId("webhook"), ...webhook } });
}

export async function findWebhook(db: Db, id: string) {
  return db.webhook.findUnique({ where: { id } });
}

/** The webhooks a user may see: all for admins; else those in scopes they hold a grant on. */
export async function listWebhooks(
  db: Db,
  filter: {
    repository?: string;
    namespace?: string;
    visibleTo?: { repositories: readonly string[]; namespaces: readonly string[] };
  },
) {
  const where: Prisma.WebhookWhereInput = {
    ...(filter.repository ? { repository: filter.repository } : {}),
    ...(filter.namespace ? { namespace: filter.namespace } : {}),
  };
  if (filter.visibleTo) {
    where.OR = [
      { repository: { in: [...filter.visibleTo.repositories] } },
      { namespace: { in: [...filter.visibleTo.namespaces] } },
    ];
  }
  return db.webhook.findMany({ where, orderBy: { id: "desc" }, take: 500 });
}
