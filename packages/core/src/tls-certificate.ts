import { X509Certificate } from "node:crypto";

/** Largest CA bundle a webhook may carry: a few certificates, not a whole system store. */
export const MAX_TLS_CERT_LENGTH = 65_536;

const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

/**
 * The certificate blocks of `pem` in order (each BEGIN up to the first END after it), and whether
 * anything but whitespace lies outside them. With indexOf rather than a lazy RegExp, which rescanned
 * the rest of the text from every BEGIN that had no END (quadratic).
 */
function pemBlocks(pem: string): { blocks: string[]; otherText: boolean } {
  const blocks: string[] = [];
  let otherText = false;
  let at = 0;
  for (;;) {
    const begin = pem.indexOf(BEGIN, at);
    const end = begin < 0 ? -1 : pem.indexOf(END, begin + BEGIN.length);
    if (end < 0) break;
    if (pem.slice(at, begin).trim() !== "") otherText = true;
    blocks.push(pem.slice(begin, end + END.length));
    at = end + END.length;
  }
  if (pem.slice(at).trim() !== "") otherText = true;
  return { blocks, otherText };
}

/**
 * Why a webhook's tlsCert cannot be used, or null: it must be one or more PEM certificates, each of
 * which parses, and nothing else (a private key pasted by mistake is refused, not stored).
 */
export function tlsCertProblem(pem: string): string | null {
  if (pem.length > MAX_TLS_CERT_LENGTH) return `tlsCert: at most ${MAX_TLS_CERT_LENGTH} characters`;
  const { blocks, otherText } = pemBlocks(pem);
  if (blocks.length === 0) return "tlsCert: must hold PEM certificates (-----BEGIN CERTIFICATE----- ...)";
  if (otherText) return "tlsCert: must hold PEM certificates only (found other text, such as a private key)";
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `tlsCert: certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate`;
    }
  }
  return null;
}
