import { findUnstorable, firstIssue } from "@hookyard/core";
import type { z } from "zod";
import { badRequest } from "./api-error.js";

/** Parses input with a zod schema; a failure is a 400 whose message names the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = "body"): z.infer<S> {
  // NUL, lone surrogates and hostile depth are refused before any schema or Postgres sees them.
  const unstorable = findUnstorable(input, where);
  if (unstorable) throw badRequest(unstorable.message);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw badRequest(firstIssue(result.error, [], where).message);
}
