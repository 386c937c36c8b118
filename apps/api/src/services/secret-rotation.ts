import { generateWebhookSecret, parseDuration } from "@hookyard/core";
import { type Db, rotateWebhookSecret, type Webhook } from "@hookyard/db";
import { z } from "zod";
import { notFound } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";
import { fields } from "./webhooks.js";

/** Longest grace a rotation may give the old secret: long enough for any deploy, short enough that a
 * forgotten rotation does not keep a retired secret valid for good. */
const MAX_GRACE_MS = 30 * 24 * 3_600_000;
const DEFAULT_GRACE = "24h";
const DEFAULT_GRACE_MS = parseDuration(DEFAULT_GRACE) as number;

export const rotateSecretBody = z
  .strictObject({
    secret: fields.secret.optional(),
    grace: z
      .string()
      .default(DEFAULT_GRACE)
      .transform((text, ctx) => {
        const ms = parseDuration(text);
        if (ms === null || ms > MAX_GRACE_MS) {
          ctx.addIssue({ code: "custom", message: 'must be a duration such as "24h", "90m" or "0s", at most 30d' });
          return z.NEVER;
        }
        return ms;
      }),
  })
  .optional()
  .transform((body) => body ?? { grace: DEFAULT_GRACE_MS });

/**
 * POST /webhooks/:id/secret/rotate: a new secret (the one given, or a generated whsec_ key), shown
 * only in this answer; the old one keeps signing beside it for `grace` so receivers can switch over
 * without a gap (Standard Webhooks lists both signatures).
 */
export async function rotateSecret(db: Db, webhook: Webhook, body: unknown) {
  const input = parseInput(rotateSecretBody, body);
  const secret = input.secret ?? generateWebhookSecret();
  const rotated = await rotateWebhookSecret(db, webhook.id, secret, input.grace);
  if (!rotated) throw notFound("webhook");
  return { secret, previousSecretExpiresAt: rotated.previousSecretUntil };
}
