import { createHash, randomBytes } from "node:crypto";

/** API tokens are 256 random bits, so one unsalted SHA-256 is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new secret with a readable prefix ("hy_..."), so a leaked one is easy to recognise and revoke. */
export function generateToken(prefix = "hy"): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}
