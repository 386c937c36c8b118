import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signatures (standard-webhooks spec): HMAC-SHA256 over "{id}.{timestamp}.{body}",
 * sent as "v1,<base64>". A secret "whsec_<base64>" is used as its decoded bytes; any other secret as
 * its UTF-8 bytes.
 */
function secretBytes(secret: string): Buffer {
  return secret.startsWith("whsec_")
    ? Buffer.from(secret.slice("whsec_".length), "base64")
    : Buffer.from(secret, "utf8");
}

export function signPayload(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", secretBytes(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
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
