import { parseDuration } from "@hookyard/core";
import type { Db } from "@hookyard/db";
import type { Queues } from "@hookyard/queues";
import { z } from "zod";
import { type QueueDepth, readQueueDepths } from "./queue-depths.js";

export const DEFAULT_WINDOW = "1h";
const MIN_WINDOW_MS = 60_000;
const MAX_WINDOW_MS = 24 * 3_600_000;
/** More bars than this would not be readable, nor cheap to send: longer windows get wider buckets. */
const MAX_BUCKETS = 120;
/** The slowest webhooks are judged on the attempts of at most this many of the latest finished deliveries. */
export const MAX_SAMPLED_DELIVERIES = 20_000;
/** ...and on at most this many attempts of each (a delivery has far fewer: its retry schedule's). */
const MAX_ATTEMPTS_PER_DELIVERY = 100;
const SLOWEST = 5;
/** Pending deliveries are counted up to this many (pending.more says there are more). */
export const MAX_PENDING_COUNTED = 100_000;
const MAX_DISABLED = 50;

export const overviewQuery = z.object({
  window: z
    .string()
    .max(16)
    .refine((text) => {
      const ms = parseDuration(text);
      return ms !== null && ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS && ms % MIN_WINDOW_MS === 0;
    }, 'must be whole minutes from 1m to 24h, such as "15m", "1h" or "24h"')
    .optional()
    .meta({ description: `how far back to look: whole minutes from 1m to 24h (default ${DEFAULT_WINDOW})` }),
});

export type Outcome = "succeeded" | "failed" | "canceled";
const OUTCOMES: readonly Outcome[] = ["succeeded", "failed", "canceled"];

export interface OverviewBucket {
  start: Date;
  succeeded: number;
  failed: number;
  canceled: number;
}

export interface Overview {
  window: string;
  since: Date;
  until: Date;
  bucketMinutes: number;
  buckets: OverviewBucket[];
  totals: Record<Outcome, number>;
  failureRate: number | null;
  pending: { total: number; retrying: number; more: boolean };
  slowestWebhooks: Array<{
    id: string;
    name: string;
    repository: string | null;
    namespace: string | null;
    attempts: number;
    meanMs: number;
    p95Ms: number;
  }>;
  disabledWebhooks: {
    total: number;
    items: Array<{
      id: string;
      name: string;
      repository: string | null;
      namespace: string | null;
      reason: string | null;
      since: Date;
    }>;
  };
  queues: QueueDepth[];
}

/**
 * Finished deliveries per bucket ($1 minutes wide, on whole minutes of the epoch) and outcome since
 * $2. "status <> 'pending'" is the predicate of deliveries_finished_idx on (completed_at): the scan
 * reads only the window's rows (tests/web-overview.test.ts checks the plan; docs/performance.md).
 */
export const FINISHED_BY_BUCKET_SQL = `
  SELECT date_bin(make_interval(mins => $1::int), completed_at, TIMESTAMPTZ 'epoch') AS start,
         status::text AS status, count(*)::int AS n
  FROM deliveries
  WHERE status <> 'pending' AND completed_at >= $2 AND NOT test
  GROUP BY 1, 2`;

/**
 * The $3 webhooks whose attempts since $1 took longest (p95, then mean), judged on the attempts of
 * the $2 latest deliveries finished since $1: found by deliveries_finished_idx, their attempts by
 * delivery_attempts' (delivery_id, n) key, so the work is bounded whatever the traffic (the plan
 * and its cost on a million deliveries: docs/performance.md).
 */
export const SLOWEST_WEBHOOKS_SQL = `
  WITH finished AS (
    SELECT id, webhook_id FROM deliveries
    WHERE status <> 'pending' AND completed_at >= $1 AND NOT test
    ORDER BY completed_at DESC LIMIT $2::int
  ), timed AS (
    SELECT f.webhook_id, count(*)::int AS attempts, round(avg(a.duration_ms))::int AS mean_ms,
           round(percentile_cont(0.95) WITHIN GROUP (ORDER BY a.duration_ms))::int AS p95_ms
    FROM finished f
    -- LIMIT keeps this a lookup per delivery by the (delivery_id, n) key: as a plain join the
    -- planner would rather read every attempt of the table in a hash join.
    CROSS JOIN LATERAL (
      SELECT duration_ms FROM delivery_attempts
      WHERE delivery_id = f.id AND started_at >= $1 ORDER BY n LIMIT ${MAX_ATTEMPTS_PER_DELIVERY}
    ) a
    GROUP BY f.webhook_id
    ORDER BY p95_ms DESC, mean_ms DESC, f.webhook_id LIMIT $3::int
  )
  SELECT w.id, w.name, w.repository, w.namespace, t.attempts, t.mean_ms, t.p95_ms
  FROM timed t JOIN webhooks w ON w.id = t.webhook_id
  ORDER BY t.p95_ms DESC, t.mean_ms DESC, w.id`;

/** Of MAX_PENDING_COUNTED + 1 rows counted, the last only says there are more. */
function presentPending({ total, retrying }: { total: number; retrying: number }): Overview["pending"] {
  const more = total > MAX_PENDING_COUNTED;
  return { total: Math.min(total, MAX_PENDING_COUNTED), retrying: Math.min(retrying, MAX_PENDING_COUNTED), more };
}

/** The bucket width for a window: one minute up to two hours, then as wide as MAX_BUCKETS needs. */
export function bucketMinutesFor(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / MIN_WINDOW_MS / MAX_BUCKETS));
}

/**
 * How Hookyard is doing, for global admins (GET /api/v1/overview), from what it already stores:
 * finished deliveries by outcome over the window, what is pending now, the webhooks whose attempts
 * took longest, the disabled webhooks and the queues' depths. Test sends (POST .../test) are left out.
 */
export async function readOverview(db: Db, queues: Queues, windowText = DEFAULT_WINDOW, now = new Date()) {
  const windowMs = parseDuration(windowText) as number;
  const bucketMinutes = bucketMinutesFor(windowMs);
  const bucketMs = bucketMinutes * MIN_WINDOW_MS;
  // Buckets start on whole minutes (of the epoch, for wider ones), so that a refresh a few seconds
  // later shows the same bars; the first bucket may start a little before the window.
  const until = now;
  const since = new Date(now.getTime() - windowMs);
  const firstBucket = Math.floor(since.getTime() / bucketMs) * bucketMs;

  const [byBucket, pending, slowest, disabled, disabledTotal, queueDepths] = await Promise.all([
    db.$queryRawUnsafe<Array<{ start: Date; status: Outcome; n: number }>>(
      FINISHED_BY_BUCKET_SQL,
      bucketMinutes,
      new Date(firstBucket),
    ),
    // deliveries_pending_idx holds only pending rows: what waits now, however old. A backlog of
    // millions is counted only up to MAX_PENDING_COUNTED: the page needs "a lot", not the figure.
    db.$queryRaw<Array<{ total: number; retrying: number }>>`
      SELECT count(*)::int AS total, (count(*) FILTER (WHERE attempt_count > series_start))::int AS retrying
      FROM (SELECT attempt_count, series_start FROM deliveries WHERE status = 'pending' AND NOT test
            LIMIT ${MAX_PENDING_COUNTED + 1}::int) pending`,
    db.$queryRawUnsafe<
      Array<{
        id: string;
        name: string;
        repository: string | null;
        namespace: string | null;
        attempts: number;
        mean_ms: number;
        p95_ms: number;
      }>
    >(SLOWEST_WEBHOOKS_SQL, since, MAX_SAMPLED_DELIVERIES, SLOWEST),
    // updated_at: a disabled webhook is not changed by anything but a PATCH, so it is when it was
    // disabled unless someone edited it since.
    db.webhook.findMany({
      where: { enabled: false, deletedAt: null },
      select: { id: true, name: true, repository: true, namespace: true, disabledReason: true, updatedAt: true },
      orderBy: [{ updatedAt: "desc" }, { id: "asc" }],
      take: MAX_DISABLED,
    }),
    db.webhook.count({ where: { enabled: false, deletedAt: null } }),
    readQueueDepths(queues),
  ]);

  const buckets: OverviewBucket[] = [];
  const index = new Map<number, OverviewBucket>();
  for (let start = firstBucket; start <= until.getTime(); start += bucketMs) {
    const bucket = { start: new Date(start), succeeded: 0, failed: 0, canceled: 0 };
    buckets.push(bucket);
    index.set(start, bucket);
  }
  const totals: Record<Outcome, number> = { succeeded: 0, failed: 0, canceled: 0 };
  for (const row of byBucket) {
    if (!OUTCOMES.includes(row.status)) continue;
    const bucket = index.get(new Date(row.start).getTime());
    if (bucket) bucket[row.status] += row.n;
    totals[row.status] += row.n;
  }
  const judged = totals.succeeded + totals.failed;

  const overview: Overview = {
    window: windowText,
    since,
    until,
    bucketMinutes,
    buckets,
    totals,
    // Of the deliveries that finished with an answer either way; canceled ones were never judged.
    failureRate: judged === 0 ? null : totals.failed / judged,
    pending: presentPending(pending[0] ?? { total: 0, retrying: 0 }),
    slowestWebhooks: slowest.map((row) => ({
      id: row.id,
      name: row.name,
      repository: row.repository,
      namespace: row.namespace,
      attempts: row.attempts,
      meanMs: row.mean_ms,
      p95Ms: row.p95_ms,
    })),
    disabledWebhooks: {
      total: disabledTotal,
      items: disabled.map((w) => ({
        id: w.id,
        name: w.name,
        repository: w.repository,
        namespace: w.namespace,
        reason: w.disabledReason,
        since: w.updatedAt,
      })),
    },
    queues: queueDepths,
  };
  return overview;
}
