import { X509Certificate } from "node:crypto";

/** Largest CA bundle a webhook may carry: a few certificates, not a whole system store. */
export const MAX_TLS_CERT_LENGTH = 65_536;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Why a webhook's tlsCert cannot be used, or null: it must be one or more PEM certificates, each of
 * which parses, and nothing else (a private key pasted by mistake is refused, not stored).
 */
export function tlsCertProblem(pem: string): string | null {
  if (pem.length > MAX_TLS_CERT_LENGTH) return `tlsCert: at most ${MAX_TLS_CERT_LENGTH} characters`;
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return "tlsCert: must hold PEM certificates (-----BEGIN CERTIFICATE----- ...)";
  if (pem.replace(PEM_BLOCK, "").trim() !== "") {
    return "tlsCert: must hold PEM certificates only (found other text, such as a private key)";
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `tlsCert: certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate`;
    }
  }
  return null;
}
