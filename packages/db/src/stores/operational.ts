import type { Db } from "../client.js";
import { Prisma } from "../generated/prisma/client.js";

/*
 * The outbox of Hookyard's own events (schema.prisma OperationalEvent). Every statement that flips a
 * webhook's `enabled` or ends a chain run writes its row in the same statement or transaction, with
 * the SQL below (decision 0008); a worker turns what is not yet published into events stored like
 * ingest's (operational-publishing.ts) and queues them.
 */

/** The `webhook` of an event's contents, from a webhooks row aliased `alias`. */
const webhookSummary = (alias: string) =>
  Prisma.raw(`jsonb_build_object('id', ${alias}.id, 'name', ${alias}.name,
  'url', ${alias}.url, 'namespace', ${alias}.namespace, 'repository', ${alias}.repository)`);

/**
 * An INSERT of one WEBHOOK_ENABLED or WEBHOOK_DISABLED row for each row of `source`: a CTE (or
 * table expression) of webhooks whose `enabled` just flipped, with their new values.
 */
export function webhookStateEvents(source: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO operational_events (type, webhook_id, namespace, repository, contents)
    SELECT CASE WHEN x.enabled THEN 'WEBHOOK_ENABLED' ELSE 'WEBHOOK_DISABLED' END, x.id, x.namespace, x.repository,
           jsonb_build_object('webhook', ${webhookSummary("x")},
                              'reason', CASE WHEN x.enabled THEN NULL ELSE x.disabled_reason END)
    FROM ${source} x`;
}

/**
 * An INSERT of one CHAIN_RUN_ENDED row for each row of `source`: a CTE of chain_runs just ended
 * (id, chain_id, state, current_position, reason, event_id), about the webhook of the step each ended at.
 */
export function chainRunEndedEvents(source: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO operational_events (type, webhook_id, namespace, repository, contents)
    SELECT 'CHAIN_RUN_ENDED', s.webhook_id, w.namespace, w.repository,
           jsonb_build_object(
             'chain', jsonb_build_object('id', c.id, 'name', c.name),
             'run', jsonb_build_object('id', x.id, 'state', x.state::text, 'step', x.current_position,
                                       'reason', x.reason, 'eventId', x.event_id),
             'webhook', ${webhookSummary("w")})
    FROM ${source} x
    JOIN chains c ON c.id = x.chain_id
    JOIN chain_steps s ON s.run_id = x.id AND s.position = x.current_position
    JOIN webhooks w ON w.id = s.webhook_id`;
}

const EXHAUSTED = "exhausted";

/**
 * One DELIVERY_EXHAUSTED per webhook for the deliveries that failed for good since the last pass,
 * with their count, once at least `intervalMs` has passed since it: the checkpoint row is locked, so
 * of two workers one writes the events and moves the checkpoint, in one transaction. Deliveries of
 * operational events and tests are left out: a subscriber failing on events about others raises none
 * about itself. The first pass starts counting from now. Returns how many events it wrote; null when
 * the interval has not passed yet.
 */
export function recordExhaustedDeliveries(db: Db, intervalMs: number, now: Date = new Date()): Promise<number | null> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`
      INSERT INTO operational_checkpoints (name, until) VALUES (${EXHAUSTED}, ${now}) ON CONFLICT (name) DO NOTHING`;
    const [checkpoint] = await tx.$queryRaw<Array<{ until: Date }>>`
      SELECT until FROM operational_checkpoints WHERE name = ${EXHAUSTED} FOR UPDATE`;
    const since = checkpoint?.until ?? now;
    if (now.getTime() - since.getTime() < intervalMs) return null;
    const written = await tx.$executeRaw`
      INSERT INTO operational_events (type, webhook_id, namespace, repository, contents)
      SELECT 'DELIVERY_EXHAUSTED', w.id, w.namespace, w.repository,
             jsonb_build_object(
               'webhook', ${webhookSummary("w")},
               'failedDeliveries', count(*),
               'lastDeliveryId', (array_agg(d.id ORDER BY d.completed_at DESC, d.id DESC))[1],
               'lastStatusCode', (array_agg(d.last_status_code ORDER BY d.completed_at DESC, d.id DESC))[1],
               'since', ${since.toISOString()}::text, 'until', ${now.toISOString()}::text)
      FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
      WHERE d.status = 'failed' AND d.completed_at >= ${since} AND d.completed_at < ${now}
        AND NOT d.test AND e.source <> 'hookyard'
      GROUP BY w.id`;
    await tx.$executeRaw`UPDATE operational_checkpoints SET until = ${now} WHERE name = ${EXHAUSTED}`;
    return written;
  });
}
