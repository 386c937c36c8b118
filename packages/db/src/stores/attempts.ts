import type { Db } from "../client.js";
import { newId } from "../ids.js";

export interface AttemptRecord {
  deliveryId: string;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  succeeded: boolean;
  /** No attempt will follow this one, whatever the count says (410 Gone, no BullMQ attempt left). */
  final: boolean;
  maxAttempts: number;
}

export interface AttemptOutcome {
  n: number;
  status: "pending" | "succeeded" | "failed";
}

/**
 * Books one attempt and moves the delivery on, in one transaction: the attempt number comes from the
 * delivery row itself, so a retry after a crash numbers on from what Postgres has seen.
 */
export async function recordAttempt(db: Db, a: AttemptRecord): Promise<AttemptOutcome> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<AttemptOutcome[]>`
      UPDATE deliveries SET
        attempt_count = attempt_count + 1,
        last_status_code = ${a.statusCode},
        status = (CASE
          WHEN ${a.succeeded} THEN 'succeeded'
          WHEN ${a.final} OR attempt_count + 1 >= ${a.maxAttempts} THEN 'failed'
          ELSE 'pending' END)::delivery_status,
        completed_at = (CASE WHEN ${a.succeeded} OR ${a.final} OR attempt_count + 1 >= ${a.maxAttempts}
                        THEN now() END)
      WHERE id = ${a.deliveryId}
      RETURNING attempt_count AS n, status::text AS status`;
    if (!row) throw new Error(`delivery ${a.deliveryId} does not exist`);
    await tx.deliveryAttempt.create({
      data: {
        id: newId("attempt"),
        deliveryId: a.deliveryId,
        n: row.n,
        startedAt: a.startedAt,
        durationMs: a.durationMs,
        statusCode: a.statusCode,
        error: a.error,
        requestHeaders: a.requestHeaders,
        responseHeaders: a.responseHeaders ?? undefined,
        responseBody: a.responseBody,
      },
    });
    if (a.succeeded) {
      await tx.$executeRaw`
        UPDATE webhooks SET last_successful_at = now()
        WHERE id = (SELECT webhook_id FROM deliveries WHERE id = ${a.deliveryId})`;
    }
    return row;
  });
}
