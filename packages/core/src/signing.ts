import { createHmac, timingSafeEqual } from "node:crypto";
import { WEBHOOK_SECRET_RULE, webhookSecretKey } from "./webhook-secret.js";

export class InvalidSecretError extends Error {
  override name = "InvalidSecretError";
  constructor() {
    // Never the secret itself: this message may reach a log.
    super(`the webhook secret ${WEBHOOK_SECRET_RULE}`);
  }
}

/**
 * Standard Webhooks signatures (standard-webhooks spec): HMAC-SHA256 over "{id}.{timestamp}.{body}",
 * sent as "v1,<base64>". A secret "whsec_<base64>" is used as its decoded bytes; any other secret as
 * its bytes. Throws InvalidSecretError for a secret that is neither form (webhook-secret.ts) rather
 * than sign with a key that is empty or trivial to guess.
 */
export function signPayload(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = webhookSecretKey(secret);
  if (!key) throw new InvalidSecretError();
  const mac = createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** Receivers' side, for tests and the docs' example: any v1 signature in the header may match. */
export function verifySignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
  header: string,
): boolean {
  const expected = Buffer.from(signPayload(secret, id, timestampSeconds, body));
  return header.split(" ").some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
