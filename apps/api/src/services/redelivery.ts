import type { AuthenticatedUser } from "@hookyard/db";
import { type Db, getDeliveryWithAttempts, recoverWebhook, restartDeliveries, type Webhook } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { type Queues, queueDeliveriesAgain } from "@hookyard/queues";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { ApiError, badRequest, notFound } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";
import { mayManage } from "./webhooks.js";

export interface RedeliveryDeps {
  db: Db;
  queues: Queues;
  logger: Logger;
}

export function redeliveryDeps(deps: ApiDeps): RedeliveryDeps {
  return deps;
}

const conflict = (message: string) => new ApiError(409, "conflict", message);

const instant = z.iso.datetime({ offset: true, error: "must be an RFC 3339 time such as 2026-11-29T08:00:00Z" });

export const recoverBody = z.strictObject({ since: instant, until: instant.optional() });

/**
 * The restarted deliveries are pending in Postgres already; queuing them is the fast way to send
 * them. When Redis cannot take them now, the reconciler queues them on its next pass, so the answer
 * stays 202.
 */
async function queue(deps: RedeliveryDeps, webhookId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const deliveries = ids.map((id) => ({ id, webhookId }));
  await queueDeliveriesAgain(deps.queues, deliveries).catch((error: unknown) => {
    deps.logger.warn("redelivery left to the reconciler", { deliveries: ids.length, reason: String(error) });
  });
}

function assertSendable(webhook: Webhook): void {
  if (!webhook.enabled) {
    throw conflict("the webhook is paused or disabled: enable it (PATCH enabled: true), then send again");
  }
}

/** POST /deliveries/:id/redeliver: a new series of attempts on the same delivery (same webhook-id). */
export async function redeliver(deps: RedeliveryDeps, user: AuthenticatedUser, deliveryId: string) {
  const delivery = await getDeliveryWithAttempts(deps.db, deliveryId);
  const webhook = delivery && (await deps.db.webhook.findUnique({ where: { id: delivery.webhookId } }));
  if (!delivery || !webhook || webhook.deletedAt !== null || !mayManage(user, webhook)) throw notFound("delivery");
  if (delivery.test) throw conflict("a test is not sent again: send another (POST /webhooks/:id/test)");
  if (delivery.status === "pending") throw conflict("the delivery is still being sent");
  assertSendable(webhook);
  const restarted = await restartDeliveries(deps.db, [delivery.id]);
  // Another redelivery of the same delivery may have won the race: it is pending either way.
  if (restarted.length === 0) throw conflict("the delivery is being sent again already");
  await queue(deps, delivery.webhookId, restarted);
  return { id: delivery.id, status: "pending" as const };
}

/**
 * POST /webhooks/:id/recover: every failed delivery of the window sent again, and every event the
 * webhook missed while paused or disabled delivered now.
 */
export async function recover(deps: RedeliveryDeps, webhook: Webhook, body: unknown) {
  const input = parseInput(recoverBody, body);
  const now = new Date();
  const since = new Date(input.since);
  const until = input.until ? new Date(input.until) : now;
  if (since > now) throw badRequest("since: is in the future");
  if (until <= since) throw badRequest("until: must be after since");
  assertSendable(webhook);
  const { restarted, created } = await recoverWebhook(deps.db, webhook.id, since, until > now ? now : until);
  await queue(deps, webhook.id, [...restarted, ...created]);
  return { count: restarted.length + created.length, redelivered: restarted.length, missed: created.length };
}
