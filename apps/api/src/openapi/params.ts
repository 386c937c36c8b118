import { ID_PREFIX } from "@hookyard/db";
import { z } from "zod";

/**
 * A path parameter holding an id of one kind (db ids.ts): its prefix is all a client needs to
 * tell kinds apart; an id of the wrong shape is answered 404, as one that does not exist.
 */
export function idParam(kind: keyof typeof ID_PREFIX, description: string) {
  // A pattern rather than startsWith, which zod renders with a format of its own no validator knows.
  return z
    .string()
    .regex(new RegExp(`^${ID_PREFIX[kind]}_`))
    .meta({ description });
}
