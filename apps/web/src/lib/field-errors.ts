import { ApiError } from "../api/client";

/** The field a 400 or 409 names: its message starts with it (`url: must be ...`, `webhooks[1]: ...`).
 * A 409 names one too (`name: a user named "x" exists already`): it belongs at that field. */
function namedField(error: ApiError): string | null {
  if (error.status !== 400 && error.status !== 409) return null;
  const match = /^([A-Za-z_][\w.[\]]*):\s/.exec(error.message);
  return match?.[1] ?? null;
}

/** Zod's own wording ("Too big: expected string to have <=200 characters") in plain words. Each
 * pattern is anchored and has no nested repetition: linear on any input. */
const ZOD_WORDING: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => `must be at most ${m[1]} characters`],
  [/^Too small: expected string to have >=1 characters?$/, () => "is required"],
  [/^Too small: expected string to have >=(\d+) characters?$/, (m) => `must be at least ${m[1]} characters`],
  [/^Too big: expected array to have <=(\d+) items?$/, (m) => `may have at most ${m[1]} entries`],
  [/^Too small: expected array to have >=1 items?$/, () => "needs at least one entry"],
  [/^Too small: expected array to have >=(\d+) items?$/, (m) => `needs at least ${m[1]} entries`],
  [/^Invalid input: expected (\w+), received (\w+)$/, (m) => `must be a ${m[1]}`],
  [/^Invalid URL$/, () => "must be a URL"],
  [/^Too big: expected number to be <=(\d+)$/, (m) => `must be at most ${m[1]}`],
  [/^Too small: expected number to be >=(\d+)$/, (m) => `must be at least ${m[1]}`],
  // A template's 400 (`template: line 3, column 3: tag {% if %} not closed`): where, then what.
  [/^line (\d+), column (\d+): (.+)$/, (m) => `has a problem at line ${m[1]}, column ${m[2]}: ${m[3]}`],
  [/^rendering a sample (\w+) event: (.+)$/, (m) => `fails on a sample ${m[1]} event: ${m[2]}`],
];

function plainWords(text: string): string {
  for (const [pattern, say] of ZOD_WORDING) {
    const match = pattern.exec(text);
    if (match) return say(match);
  }
  return text;
}

/**
 * A field's message as a sentence that names the field by its label: "Name must be at most 200
 * characters". A message that is already a sentence of its own ("a user named … exists already")
 * is only capitalised.
 */
export function fieldMessage(label: string, message: string): string {
  const text = plainWords(message.trim());
  if (/^(a|an|the|this) /i.test(text)) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }
  return `${label} ${text}`;
}

/**
 * Splits an API error between a form's fields and an alert for the rest. A 400's (or 409's) message
 * starts with the field it concerns; `aliases` maps the API's field (its first segment: `filter` of
 * `filter.tags[0]`, `webhooks` of `webhooks[1]`) to the form's own name for it. With `labels`, a
 * field's message is put in plain words that name it by its label.
 */
export function splitError(
  error: unknown,
  fields: readonly string[],
  aliases: Record<string, string> = {},
  labels?: Record<string, string>,
): { fieldErrors: Record<string, string>; general: string | null } {
  if (!error) return { fieldErrors: {}, general: null };
  if (error instanceof ApiError) {
    const named = namedField(error);
    if (named) {
      const head = named.split(/[.[]/)[0] ?? named;
      const field = aliases[named] ?? aliases[head] ?? head;
      if (fields.includes(field)) {
        const rest = error.message.slice(named.length + 1).trim();
        const message = labels ? fieldMessage(labels[field] ?? field, rest) : error.message;
        return { fieldErrors: { [field]: message }, general: null };
      }
    }
    return { fieldErrors: {}, general: error.message };
  }
  return { fieldErrors: {}, general: (error as Error).message ?? String(error) };
}

/**
 * Scrolls the form's first invalid field into view and focuses it: a tall dialog's error may be
 * far above the button that was pressed. A group (checkboxes) is reached through its first control.
 */
export function focusFirstError(form: HTMLElement | null): void {
  if (!form) return;
  const first = form.querySelector<HTMLElement>('[aria-invalid="true"], [data-field-error]');
  if (!first) return;
  const target =
    first.matches("input, textarea, select, button") && !first.hasAttribute("data-field-error")
      ? first
      : (first.closest("[data-field]")?.querySelector<HTMLElement>("input, textarea, select, button") ?? first);
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
}
