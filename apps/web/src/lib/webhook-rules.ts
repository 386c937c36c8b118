/*
 * The checks the API makes of a webhook's fields (apps/api/src/services/webhooks.ts `fields`, and
 * core's customHeadersProblem and tlsCertProblem), made before sending so that every problem is
 * shown at once. The API stays the judge: what only it can tell (a URL it refuses to reach, a
 * secret's form) comes back from it and is shown at its field too. tests/web-ui-limits.test.ts
 * checks these limits against the API's.
 */

export const WEBHOOK_LIMITS = {
  nameLength: 200,
  urlLength: 2048,
  eventPatterns: 50,
  headerCount: 30,
  headerNameLength: 100,
  headerValueLength: 2048,
  headersTotalLength: 8192,
  /** HOOKYARD_TEMPLATE_MAX_BYTES's default: a server set lower answers 400, shown at the field. */
  templateBytes: 16 * 1024,
  /** core's RATE_LIMIT_MAX: deliveries per second. */
  rateLimitMax: 10_000,
} as const;

export interface HeaderRow {
  name: string;
  value: string;
  /** The API did not show its value back (a credential): it must be typed again to be kept. */
  hidden: boolean;
}

export interface WebhookDraft {
  name: string;
  url: string;
  events: string[];
  headers: HeaderRow[] | null;
  tlsCert: string;
  /** The template when the format is `template`; null (or absent) for every other format. */
  template?: string | null;
  /** The rate limit field as typed: "" for none (NumberInput gives a number or a string). */
  rateLimit?: number | string;
}

// Letters, digits and "-": the API's header name rule (core, delivery-headers.ts).
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
// Visible ASCII, space and tab: the API's header value rule.
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
// Hookyard's own and the message-framing headers: a webhook's own may not replace them.
const RESERVED =
  /^(content-type|content-length|content-encoding|host|user-agent|webhook-.*|x-hookyard-.*|transfer-encoding|connection|keep-alive|proxy-.*|upgrade|expect|te|trailer)$/i;
// Anything that is not visible ASCII or a letter beyond it: the API refuses spaces and control characters.
const URL_UNSENDABLE = /[^\x21-\x7e\u0080-\uffff]/;

function urlProblem(text: string): string | null {
  if (text === "") return "URL is required";
  if (text.length > WEBHOOK_LIMITS.urlLength) return `URL must be at most ${WEBHOOK_LIMITS.urlLength} characters`;
  if (URL_UNSENDABLE.test(text)) return "URL must not hold spaces or control characters";
  if (!URL.canParse(text)) return "URL must be an http or https URL, such as https://ci.example.com/hook";
  const url = new URL(text);
  if (url.protocol !== "http:" && url.protocol !== "https:") return "URL must be an http or https URL";
  if (url.hash || text.includes("#")) return "URL must not have a fragment (#...): it is never sent to the receiver";
  return null;
}

/** Each header row's problem, keyed `header-<index>-name` or `header-<index>-value`. */
function headerProblems(rows: HeaderRow[]): Record<string, string> {
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  let total = 0;
  rows.forEach((row, i) => {
    const name = row.name.trim();
    const n = i + 1;
    if (name === "") errors[`header-${i}-name`] = `Header ${n} needs a name`;
    else if (name.length > WEBHOOK_LIMITS.headerNameLength || !HEADER_NAME.test(name)) {
      errors[`header-${i}-name`] =
        `Header name may hold only letters, digits and "-", at most ${WEBHOOK_LIMITS.headerNameLength}`;
    } else if (RESERVED.test(name)) errors[`header-${i}-name`] = `${name} is set by Hookyard and cannot be overridden`;
    else if (seen.has(name.toLowerCase())) errors[`header-${i}-name`] = `${name} is given twice (names ignore case)`;
    seen.add(name.toLowerCase());
    if (row.hidden && row.value === "") {
      errors[`header-${i}-value`] =
        `Enter the value of ${name} again: Hookyard does not show it back, and saving headers replaces them all`;
    } else if (row.value.length > WEBHOOK_LIMITS.headerValueLength) {
      errors[`header-${i}-value`] = `Header value must be at most ${WEBHOOK_LIMITS.headerValueLength} characters`;
    } else if (!HEADER_VALUE.test(row.value)) {
      errors[`header-${i}-value`] = "Header value may hold only visible ASCII characters, spaces and tabs";
    }
    total += name.length + row.value.length;
  });
  if (rows.length > WEBHOOK_LIMITS.headerCount) {
    errors.headers = `At most ${WEBHOOK_LIMITS.headerCount} headers may be set`;
  } else if (total > WEBHOOK_LIMITS.headersTotalLength) {
    errors.headers = `Header names and values together must be at most ${WEBHOOK_LIMITS.headersTotalLength} characters`;
  }
  return errors;
}

/** Every problem of the draft at once, by field, in plain words; empty when it may be sent. */
export function webhookProblems(draft: WebhookDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = draft.name.trim();
  if (name === "") errors.name = "Name is required";
  else if (name.length > WEBHOOK_LIMITS.nameLength) {
    errors.name = `Name must be at most ${WEBHOOK_LIMITS.nameLength} characters`;
  }
  const url = urlProblem(draft.url.trim());
  if (url) errors.url = url;
  if (draft.events.length === 0) errors.events = "Choose at least one event type";
  else if (draft.events.length > WEBHOOK_LIMITS.eventPatterns) {
    errors.events = `Choose at most ${WEBHOOK_LIMITS.eventPatterns} event types`;
  }
  if (draft.headers) Object.assign(errors, headerProblems(draft.headers));
  const pem = draft.tlsCert.trim();
  if (pem !== "" && !pem.includes("-----BEGIN CERTIFICATE-----")) {
    errors.tlsCert = "CA certificate must be PEM: -----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----";
  }
  const template = templateProblem(draft.template);
  if (template) errors.template = template;
  const rate = rateLimitProblem(draft.rateLimit ?? "");
  if (rate) errors.rateLimit = rate;
  return errors;
}

function templateProblem(template: string | null | undefined): string | null {
  if (template === null || template === undefined) return null;
  if (template.trim() === "") return "Template is required for the template format";
  // The API counts bytes (UTF-8), not characters.
  const bytes = new TextEncoder().encode(template).length;
  if (bytes > WEBHOOK_LIMITS.templateBytes) {
    return `Template must be at most ${WEBHOOK_LIMITS.templateBytes / 1024} KiB (${WEBHOOK_LIMITS.templateBytes} bytes); it is ${bytes}`;
  }
  return null;
}

function rateLimitProblem(value: number | string): string | null {
  if (value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > WEBHOOK_LIMITS.rateLimitMax) {
    return `Rate limit must be a whole number from 1 to ${WEBHOOK_LIMITS.rateLimitMax} deliveries per second, or empty for none`;
  }
  return null;
}

/** The rate limit to send: null when the field is empty (no limit). Call after webhookProblems found none. */
export function rateLimitValue(value: number | string): number | null {
  return value === "" ? null : Number(value);
}
