import { createHash, randomBytes } from "node:crypto";

/** API tokens are 256 random bits, so one unsalted SHA-256 is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A new secret with a readable prefix ("hy_..."), so a leaked one is easy to recognise and revoke. */
export function generateToken(prefix = "hy"): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/** The scheme of an Authorization header, lower-cased ("bearer", "basic"); null without a header. */
export function authorizationScheme(header: string | undefined): string | null {
  if (!header) return null;
  return (header.trim().split(" ", 1)[0] as string).toLowerCase();
}

/** The token of `Authorization: Bearer <token>`, or of Basic auth (any user name, the token as the
 * password: what a browser sends to Bull Board, and DTR scripts with `curl -u`); null for neither. */
export function presentedToken(header: string | undefined): string | null {
  const [scheme, value] = (header ?? "").split(" ", 2);
  if (!value) return null;
  if (scheme?.toLowerCase() === "bearer") return value.trim();
  if (scheme?.toLowerCase() !== "basic") return null;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon >= 0 ? decoded.slice(colon + 1) : null;
}
