import type { ID_PREFIX } from "@hookyard/db";
import { z } from "zod";
import { isIdOf } from "./path-id.js";

const CURSOR_RULE = "must be the nextCursor of a previous page";

/** A cursor that is the id of the last row of the page before (lists ordered by id). */
export function idCursor(kind: keyof typeof ID_PREFIX) {
  // Anything else would silently give a wrong page.
  return z.string().refine((text) => isIdOf(kind, text), CURSOR_RULE);
}

/**
 * A cursor that is another key of the last row of the page before (a repository's name, a scope's
 * key): any text names a place in that order, so only its length is checked.
 */
export function keyCursor(maxLength: number) {
  return z.string().min(1, CURSOR_RULE).max(maxLength, CURSOR_RULE);
}

/**
 * The query fields of every paged list, to spread into its query schema: `limit` (1 to `max`,
 * `byDefault` when not given) and `cursor` (the nextCursor of the page before). Either one
 * invalid is a 400 naming it.
 */
export function pageFields(cursor: z.ZodType<string>, { max = 100, byDefault = 20 } = {}) {
  return {
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(max)
      .default(byDefault)
      .meta({
        description: `rows per page, 1 to ${max}`,
      }),
    cursor: cursor.optional().meta({ description: "the nextCursor of the page before; none for the first page" }),
  };
}
