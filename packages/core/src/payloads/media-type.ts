/** The longest Content-Type a template webhook may name. */
export const MAX_MEDIA_TYPE_LENGTH = 255;

// RFC 9110 section 8.3.1: type "/" subtype *( OWS ";" OWS parameter ), each a token; a parameter's
// value a token or a quoted string (without escapes: a Content-Type has no use for them).
const MEDIA_TYPE =
  /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*;[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"[^"\\\r\n]*"))*$/;

/** Why a Content-Type is not a media type such as `text/plain; charset=utf-8`, or null. */
export function mediaTypeProblem(value: string): string | null {
  if (value.length > MAX_MEDIA_TYPE_LENGTH) return `may be at most ${MAX_MEDIA_TYPE_LENGTH} characters long`;
  if (!MEDIA_TYPE.test(value)) {
    return `"${value}" is not a media type such as "application/json" or "text/plain; charset=utf-8"`;
  }
  return null;
}
