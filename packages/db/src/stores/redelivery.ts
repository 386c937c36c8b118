import type { Db } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";
import { newId } from "../ids.js";
import { WEBHOOK_TAKES_EVENT } from "./events.js";
import { webhookStateEvents } from "./operational.js";

/** Most deliveries one recovery takes on: a window wider than this is recovered by further calls. */
export const MAX_RECOVERED = 10_000;

/**
 * Starts a new series of attempts on deliveries that are finished (succeeded, failed or canceled):
 * pending again, with the whole retry schedule ahead (series_start), their history kept. A delivery
 * still pending, a test, or one of a deleted or disabled webhook is left alone. Returns the ids restarted.
 */
export async function restartDeliveries(db: Db, ids: readonly string[]): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    UPDATE deliveries d SET status = 'pending', series_start = d.attempt_count, completed_at = NULL
    FROM webhooks w
    WHERE d.id = ANY(${[...ids]}::text[]) AND w.id = d.webhook_id
      AND d.status <> 'pending' AND NOT d.test AND w.enabled AND w.deleted_at IS NULL
    RETURNING d.id`;
  return rows.map((row) => row.id);
}

/**
 * What a webhook missed between `since` and `until`: its failed deliveries of events received then
 * are restarted, and the events it would have taken had it been enabled (paused, disabled after
 * failing) get a delivery now. Returns the ids of both, oldest events first, at most MAX_RECOVERED.
 */
export async function recoverWebhook(
  db: Db,
  webhookId: string,
  since: Date,
  until: Date,
): Promise<{ restarted: string[]; created: string[] }> {
  const failed = await db.$queryRaw<{ id: string }[]>`
    SELECT d.id FROM deliveries d JOIN events e ON e.id = d.event_id
    WHERE d.webhook_id = ${webhookId} AND d.status = 'failed' AND NOT d.test
      AND e.received_at >= ${since} AND e.received_at < ${until}
    ORDER BY e.received_at LIMIT ${MAX_RECOVERED}`;
  const restarted = await restartDeliveries(
    db,
    failed.map((row) => row.id),
  );
  const missed = await db.$queryRaw<{ id: string }[]>`
    SELECT e.id FROM events e JOIN webhooks w ON w.id = ${webhookId}
    WHERE e.received_at >= ${since} AND e.received_at < ${until} AND e.source <> 'test'
      AND w.enabled AND w.deleted_at IS NULL AND ${WEBHOOK_TAKES_EVENT}
      AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.webhook_id = w.id)
    ORDER BY e.received_at LIMIT ${MAX_RECOVERED - restarted.length}`;
  const created = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO deliveries (id, webhook_id, event_id)
    SELECT * FROM unnest(${missed.map(() => newId("delivery"))}::text[],
                         ${missed.map(() => webhookId)}::text[], ${missed.map((row) => row.id)}::text[])
    ON CONFLICT (webhook_id, event_id) DO NOTHING
    RETURNING id`;
  return { restarted, created: created.map((row) => row.id) };
}

/**
 * Disables the enabled webhooks that keep failing: at least `failures` failed deliveries since the
 * webhook last succeeded or was last enabled, the first of them at least `afterMs` ago (Svix's rule:
 * days of nothing but failures, not one bad hour). The reason says how many and since when; PATCH
 * enabled: true starts the count again. Returns the webhooks disabled.
 */
export async function disableFailingWebhooks(
  db: Db,
  rule: { failures: number; afterMs: number },
): Promise<Array<{ id: string; failed: number; since: Date }>> {
  if (rule.failures <= 0) return [];
  return db.$queryRaw`
    WITH streaks AS (
      SELECT w.id, count(*)::int AS failed, min(d.completed_at) AS since
      FROM webhooks w
      JOIN deliveries d ON d.webhook_id = w.id AND d.status = 'failed' AND NOT d.test
        AND d.completed_at > GREATEST(w.enabled_at, COALESCE(w.last_successful_at, w.enabled_at))
      WHERE w.enabled
      GROUP BY w.id
      HAVING count(*) >= ${rule.failures}
         AND min(d.completed_at) <= now() - make_interval(secs => ${rule.afterMs / 1000}))
    , disabled AS (
      UPDATE webhooks w SET enabled = false, updated_at = now(),
        disabled_reason = format('disabled after %s failed deliveries in a row since %s; enable it, then recover what it missed',
                                 s.failed, to_char(s.since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
      FROM streaks s
      WHERE w.id = s.id AND w.enabled
      RETURNING w.id, w.name, w.url, w.namespace, w.repository, w.enabled, w.disabled_reason, s.failed, s.since),
    disabled_events AS (${webhookStateEvents(Prisma.sql`disabled`)})
    SELECT id, failed, since FROM disabled`;
}
