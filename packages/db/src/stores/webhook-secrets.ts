import { encryptionKeyIdOf, isEncrypted } from "@hookyard/core";
import { type Db, secretBoxOf } from "../client.js";
import type { Prisma } from "../generated/prisma/client.js";

/**
 * Webhooks' secrets at rest (docs/decisions/0013): `secret`, `previous_secret` and the custom
 * `headers` (which may hold an Authorization) are stored encrypted, each value bound to its webhook.
 * The stores seal them as they write them and open them as they read them (findWebhook,
 * listWebhooks, insertWebhook, updateWebhook, loadDeliveriesForSending). A row read straight
 * through Prisma or SQL holds them as stored.
 *
 * - `secret` and `previous_secret`: each its own value. They share a context, because a rotation
 *   moves the one to the other in SQL (rotateWebhookSecret) without decrypting it.
 * - `headers`: the whole object, names and values, as one value: a JSON string in the jsonb column.
 *   No headers (`{}`) is stored as it is: there is nothing to hide, and nothing to decrypt.
 *
 * Values stored before encryption (no enc: prefix; headers as an object) are read as they are until
 * `reencryptWebhookSecrets` encrypts them.
 */

const secretContext = (webhookId: string) => `webhook:${webhookId}:secret`;
const headersContext = (webhookId: string) => `webhook:${webhookId}:headers`;

export interface WebhookSecretFields {
  secret?: string | null;
  previousSecret?: string | null;
  headers?: Record<string, string>;
}

/** The given fields as they are stored: the secrets and any headers encrypted for this webhook. */
export function sealWebhookSecrets(
  db: Db,
  webhookId: string,
  fields: WebhookSecretFields,
): { secret?: string | null; previousSecret?: string | null; headers?: Prisma.InputJsonValue } {
  const box = secretBoxOf(db);
  const sealSecret = (secret: string | null) => (secret === null ? null : box.seal(secret, secretContext(webhookId)));
  const sealed: ReturnType<typeof sealWebhookSecrets> = {};
  if (fields.secret !== undefined) sealed.secret = sealSecret(fields.secret);
  if (fields.previousSecret !== undefined) sealed.previousSecret = sealSecret(fields.previousSecret);
  if (fields.headers !== undefined) {
    sealed.headers =
      Object.keys(fields.headers).length === 0
        ? {}
        : box.seal(JSON.stringify(fields.headers), headersContext(webhookId));
  }
  return sealed;
}

/** A webhook's row with its secrets and headers readable; throws naming the webhook and field when
 * one does not decrypt (a key missing from HOOKYARD_ENCRYPTION_KEYS, a value altered or moved). */
export function openWebhookSecrets<
  T extends { id: string; secret: string | null; previousSecret: string | null; headers: unknown },
>(db: Db, row: T): T {
  const box = secretBoxOf(db);
  const open = <V>(field: string, run: () => V): V => {
    try {
      return run();
    } catch (error) {
      throw new Error(`webhook ${row.id}: its ${field} cannot be read: it ${(error as Error).message}`);
    }
  };
  // Both secrets are opened in one context; each has a place of its own in the cache.
  const secret = (value: string | null, field: string) =>
    value === null
      ? null
      : open(field, () => box.open(value, secretContext(row.id), (plain) => plain, `webhook:${row.id}:${field}`));
  const headers = row.headers;
  return {
    ...row,
    secret: secret(row.secret, "secret"),
    previousSecret: secret(row.previousSecret, "previous secret"),
    headers:
      typeof headers === "string"
        ? open("headers", () =>
            box.open(headers, headersContext(row.id), (plain) => Object.freeze(JSON.parse(plain) as object)),
          )
        : headers,
  };
}

export interface StoredSecretCount {
  /** null: stored before encryption, in clear. */
  keyId: string | null;
  values: number;
}

/** Every stored secret and header set (deleted webhooks' included), counted by the key it is under. */
export async function countStoredSecrets(db: Db): Promise<StoredSecretCount[]> {
  const rows = await db.$queryRaw<Array<{ key_id: string | null; values: number }>>`
    SELECT CASE WHEN v.value ~ '^enc:v[0-9]+:' THEN split_part(v.value, ':', 3) END AS key_id,
           count(*)::int AS values
    FROM webhooks w CROSS JOIN LATERAL (VALUES
      (w.secret),
      (w.previous_secret),
      (CASE WHEN jsonb_typeof(w.headers) = 'string' THEN w.headers #>> '{}'
            WHEN w.headers <> '{}'::jsonb THEN w.headers::text END)) AS v(value)
    WHERE v.value IS NOT NULL
    GROUP BY 1 ORDER BY 1 NULLS FIRST`;
  return rows.map((row) => ({ keyId: row.key_id, values: row.values }));
}

/**
 * Why this client must not run: stored values under keys it does not hold (one taken out of
 * HOOKYARD_ENCRYPTION_KEYS before `pnpm secrets:reencrypt` moved everything off it). Null when
 * every stored value can be read.
 */
export async function missingEncryptionKeysProblem(db: Db): Promise<string | null> {
  const keys = secretBoxOf(db).keys;
  const missing = (await countStoredSecrets(db)).filter((c) => c.keyId !== null && !keys?.has(c.keyId));
  if (missing.length === 0) return null;
  const list = missing.map((c) => `"${c.keyId}" (${c.values})`).join(", ");
  return `webhooks hold secrets encrypted with keys HOOKYARD_ENCRYPTION_KEYS does not hold: ${list}. Add them back after the first key; take a key out only once the re-encryption (pnpm secrets:reencrypt, node dist/reencrypt.js in the API image) reports that nothing is stored under it`;
}

export interface ReencryptReport {
  /** Webhook rows read (every row, deleted ones too). */
  webhooks: number;
  /** Rows written again, and the values in them now under the current key. */
  rewritten: number;
  values: number;
  /** Rows someone changed between the read and the write: left as they are (run again). */
  changedMeanwhile: number;
  /** Values that did not decrypt: left as they are. */
  unreadable: Array<{ webhookId: string; reason: string }>;
}

interface StoredRow {
  id: string;
  secret: string | null;
  previous_secret: string | null;
  headers: unknown;
}

/** A stored value that is not under the current key: in clear, or under another key. */
function stale(db: Db, stored: unknown): boolean {
  const current = secretBoxOf(db).keys?.currentId;
  if (typeof stored === "string") return !isEncrypted(stored) || encryptionKeyIdOf(stored) !== current;
  // Headers stored before encryption: an object, stale unless empty.
  return stored !== null && typeof stored === "object" && Object.keys(stored).length > 0;
}

/**
 * Puts every stored secret and header set under the current key, `batchSize` webhooks at a time in
 * id order: values in clear and under older keys are decrypted and encrypted again; those under the
 * current key are left alone, so a second run writes nothing. Each batch is one UPDATE that writes a
 * row only if it still holds what was read, so a secret changed meanwhile through the API is never
 * overwritten with the old one (it is counted; run again). `updated_at` stays: nothing changed for
 * the webhook's users.
 */
export async function reencryptWebhookSecrets(
  db: Db,
  options: { batchSize?: number; onBatch?: (report: ReencryptReport) => void } = {},
): Promise<ReencryptReport> {
  const batchSize = options.batchSize ?? 500;
  const report: ReencryptReport = { webhooks: 0, rewritten: 0, values: 0, changedMeanwhile: 0, unreadable: [] };
  let after = "";
  for (;;) {
    const rows = await db.$queryRaw<StoredRow[]>`
      SELECT id, secret, previous_secret, headers FROM webhooks WHERE id > ${after} ORDER BY id LIMIT ${batchSize}`;
    if (rows.length === 0) return report;
    after = rows.at(-1)?.id as string;
    report.webhooks += rows.length;

    const writes: Array<{
      row: StoredRow;
      secret: unknown;
      previousSecret: unknown;
      headers: unknown;
      values: number;
    }> = [];
    for (const row of rows) {
      const isStale = {
        secret: stale(db, row.secret),
        previous: stale(db, row.previous_secret),
        headers: stale(db, row.headers),
      };
      const values = Object.values(isStale).filter(Boolean).length;
      if (values === 0) continue;
      try {
        const open = openWebhookSecrets(db, { ...row, previousSecret: row.previous_secret });
        const sealed = sealWebhookSecrets(db, row.id, {
          secret: open.secret,
          previousSecret: open.previousSecret,
          headers: open.headers as Record<string, string>,
        });
        // Only what is stale is written anew; what is under the current key already stays as it is.
        writes.push({
          row,
          secret: isStale.secret ? sealed.secret : row.secret,
          previousSecret: isStale.previous ? sealed.previousSecret : row.previous_secret,
          headers: isStale.headers ? sealed.headers : row.headers,
          values,
        });
      } catch (error) {
        report.unreadable.push({ webhookId: row.id, reason: (error as Error).message });
      }
    }
    if (writes.length > 0) {
      const written = await db.$queryRaw<Array<{ id: string }>>`
        UPDATE webhooks w SET secret = v.secret, previous_secret = v.previous_secret, headers = v.headers::jsonb
        FROM unnest(${writes.map((w) => w.row.id)}::text[],
                    ${writes.map((w) => w.row.secret)}::text[], ${writes.map((w) => w.secret)}::text[],
                    ${writes.map((w) => w.row.previous_secret)}::text[], ${writes.map((w) => w.previousSecret)}::text[],
                    ${writes.map((w) => JSON.stringify(w.row.headers))}::text[],
                    ${writes.map((w) => JSON.stringify(w.headers))}::text[])
             AS v(id, old_secret, secret, old_previous_secret, previous_secret, old_headers, headers)
        WHERE w.id = v.id
          AND w.secret IS NOT DISTINCT FROM v.old_secret
          AND w.previous_secret IS NOT DISTINCT FROM v.old_previous_secret
          AND w.headers = v.old_headers::jsonb
        RETURNING w.id`;
      const done = new Set(written.map((w) => w.id));
      for (const write of writes) {
        if (done.has(write.row.id)) {
          report.rewritten++;
          report.values += write.values;
        } else {
          report.changedMeanwhile++;
        }
      }
    }
    options.onBatch?.(report);
  }
}
