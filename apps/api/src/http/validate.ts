import { formatPath } from "@hookyard/core";
import type { z } from "zod";
import { badRequest } from "./api-error.js";

/** Parses input with a zod schema; a failure is a 400 whose message names the field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where = "body"): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.length ? formatPath(issue.path) : where;
  throw badRequest(`${field}: ${issue?.message ?? "invalid"}`);
}
