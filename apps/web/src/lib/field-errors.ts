import { ApiError } from "../api/client";

/**
 * Splits an API error between a form's fields and an alert for the rest. A 400's message starts
 * with the field it concerns; `aliases` maps the API's field (its first segment: `filter` of
 * `filter.tags[0]`, `webhooks` of `webhooks[1]`) to the form's own name for it.
 */
export function splitError(
  error: unknown,
  fields: readonly string[],
  aliases: Record<string, string> = {},
): { fieldErrors: Record<string, string>; general: string | null } {
  if (!error) return { fieldErrors: {}, general: null };
  if (error instanceof ApiError) {
    const named = error.field;
    if (named) {
      const head = named.split(/[.[]/)[0] ?? named;
      const field = aliases[named] ?? aliases[head] ?? head;
      if (fields.includes(field)) return { fieldErrors: { [field]: error.message }, general: null };
    }
    return { fieldErrors: {}, general: error.message };
  }
  return { fieldErrors: {}, general: (error as Error).message ?? String(error) };
}
