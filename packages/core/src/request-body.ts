import { storableText } from "./storable.js";

/** What a stored request body shows in place of a secret it carried. */
export const REDACTED = "[redacted]";

/**
 * A request body as the attempt keeps it: what was sent, with the delivery's callback_url (a
 * capability URL: whoever holds it can answer for the receiver) replaced wherever it appears, as
 * the JSON body escapes it. Made storable like the receiver's answer (no NUL breaks booking).
 */
export function storableRequestBody(body: string, callbackUrl?: string): string {
  let kept = body;
  if (callbackUrl) {
    const escaped = JSON.stringify(callbackUrl).slice(1, -1);
    kept = kept.replaceAll(escaped, REDACTED);
    if (escaped !== callbackUrl) kept = kept.replaceAll(callbackUrl, REDACTED);
  }
  return storableText(kept);
}
