import { type CallbackStateName, callbackUrl, newCallbackToken } from "@hookyard/core";
import type { Db } from "../client.js";
import { newId } from "../ids.js";

/**
 * A new callback_url for one attempt of a delivery, stored (as its token's hash) before the request
 * goes out. The delivery's callback row is made with its first URL; each later one (a retry, a
 * redelivery, a test) gets a URL of its own, every one of them leads to the same callback, and the
 * callback's expiry moves to `ttlMs` after the latest send, for all of them. One statement, so two workers
 * sending the same delivery at once still make one callback.
 */
export async function issueCallbackUrl(
  db: Db,
  options: { deliveryId: string; publicUrl: string; ttlMs: number; now?: Date },
): Promise<string> {
  const now = options.now ?? new Date();
  const { token, tokenHash } = newCallbackToken();
  const expiresAt = new Date(now.getTime() + options.ttlMs);
  await db.$executeRaw`
    WITH callback AS (
      INSERT INTO callbacks (id, delivery_id, expires_at)
      VALUES (${newId("callback")}, ${options.deliveryId}, ${expiresAt})
      -- Each send gives the receiver the whole TTL to call back: a retry a day later (the schedule
      -- runs longer than the default TTL) must not carry a URL that is dead already.
      ON CONFLICT (delivery_id) DO UPDATE SET expires_at = GREATEST(callbacks.expires_at, EXCLUDED.expires_at)
      RETURNING id
    )
    INSERT INTO callback_tokens (token_hash, callback_id, created_at)
    SELECT ${tokenHash}, id, ${now} FROM callback`;
  return callbackUrl(options.publicUrl, token);
}

export interface CallbackVerdict {
  state: CallbackStateName;
  description: string | null;
  context: string | null;
  targetUrl: string | null;
}

export type CallbackOutcome =
  | { kind: "recorded"; deliveryId: string; receivedAt: Date }
  | { kind: "unknown" }
  | { kind: "already-validated" }
  | { kind: "expired"; expiresAt: Date };

/**
 * Records what a receiver said at a callback_url, once: the update only takes a callback that has
 * no state yet and has not expired, so of two callbacks at once exactly one is recorded (the other
 * waits for the row, then finds it taken). When nothing was updated, a second look says why.
 */
export async function recordCallback(
  db: Db,
  tokenHash: string,
  verdict: CallbackVerdict,
  now: Date = new Date(),
): Promise<CallbackOutcome> {
  const updated = await db.$queryRaw<Array<{ delivery_id: string }>>`
    UPDATE callbacks AS c
    SET state = ${verdict.state}::callback_state, description = ${verdict.description},
        context = ${verdict.context}, target_url = ${verdict.targetUrl}, received_at = ${now}
    FROM callback_tokens AS t
    WHERE t.token_hash = ${tokenHash} AND c.id = t.callback_id AND c.state IS NULL AND c.expires_at > ${now}
    RETURNING c.delivery_id`;
  const [row] = updated;
  if (row) return { kind: "recorded", deliveryId: row.delivery_id, receivedAt: now };

  const token = await db.callbackToken.findUnique({
    where: { tokenHash },
    select: { callback: { select: { state: true, expiresAt: true } } },
  });
  if (!token) return { kind: "unknown" };
  if (token.callback.state !== null) return { kind: "already-validated" };
  return { kind: "expired", expiresAt: token.callback.expiresAt };
}
