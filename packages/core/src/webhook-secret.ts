import { randomBytes } from "node:crypto";

/**
 * The secrets a webhook may sign with. Two forms:
 * - Standard Webhooks: "whsec_" and the standard base64 (with its padding) of 24 to 64 random bytes;
 *   those bytes are the HMAC key. Svix and the Standard Webhooks libraries generate 24 or 32.
 * - Raw: 24 to 256 visible ASCII characters (no spaces or control characters) with at least 10
 *   different ones; its UTF-8 bytes are the key. This is for receivers that were set up with a
 *   shared password rather than a whsec_ key (GitHub, Harbor, DTR style).
 * Anything else is refused rather than "repaired": Buffer.from skips characters outside the base64
 * alphabet, so "whsec_!!!!" used to sign with an empty key, which anyone can forge.
 */

const PREFIX = "whsec_";
export const SECRET_KEY_BYTES = { min: 24, max: 64 } as const;
export const RAW_SECRET_LENGTH = { min: 24, max: 256 } as const;
/** A floor on guessability: rules out "aaaa…" and "abababab…" but not any real random string. */
export const RAW_SECRET_DISTINCT_CHARACTERS = 10;

export const WEBHOOK_SECRET_RULE =
  `must be "whsec_" followed by base64 of ${SECRET_KEY_BYTES.min} to ${SECRET_KEY_BYTES.max} bytes, ` +
  `or ${RAW_SECRET_LENGTH.min} to ${RAW_SECRET_LENGTH.max} visible ASCII characters ` +
  `with at least ${RAW_SECRET_DISTINCT_CHARACTERS} different ones`;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;

function whsecKey(encoded: string): Buffer | null {
  // Longest base64 that can still decode to the largest key; checked first so no huge string is decoded.
  if (encoded.length > Math.ceil(SECRET_KEY_BYTES.max / 3) * 4 || !BASE64.test(encoded)) return null;
  const key = Buffer.from(encoded, "base64");
  // Re-encoding must give the text back: this refuses non-zero padding bits, which Buffer ignores.
  if (key.toString("base64") !== encoded) return null;
  return key.length >= SECRET_KEY_BYTES.min && key.length <= SECRET_KEY_BYTES.max ? key : null;
}

function rawKey(secret: string): Buffer | null {
  if (secret.length < RAW_SECRET_LENGTH.min || secret.length > RAW_SECRET_LENGTH.max) return null;
  if (!VISIBLE_ASCII.test(secret)) return null;
  if (new Set(secret).size < RAW_SECRET_DISTINCT_CHARACTERS) return null;
  return Buffer.from(secret, "ascii");
}

/** The HMAC key of a valid secret, or null when the secret is not one of the two forms. */
export function webhookSecretKey(secret: string): Buffer | null {
  return secret.startsWith(PREFIX) ? whsecKey(secret.slice(PREFIX.length)) : rawKey(secret);
}

export function isValidWebhookSecret(secret: string): boolean {
  return webhookSecretKey(secret) !== null;
}

/** A new secret in the Standard Webhooks form, 32 random bytes, as rotation hands out. */
export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString("base64")}`;
}

/** The secret a rotation replaced, while its grace period lasts; else null. */
export function previousSecretInGrace(
  webhook: { previousSecret: string | null; previousSecretUntil: Date | null },
  now: Date,
): string | null {
  return webhook.previousSecret && webhook.previousSecretUntil && webhook.previousSecretUntil > now
    ? webhook.previousSecret
    : null;
}
