import type { z } from "zod";

export type FieldPath = readonly PropertyKey[];

/** A refused input: which field, and a message that starts with its name. */
export interface Failure {
  ok: false;
  field: string;
  message: string;
}

export function formatPath(path: FieldPath): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** A failure at `path`; the empty path is the whole input, called `whole` ("body", "query"). */
export function failure(path: FieldPath, message: string, whole = "body"): Failure {
  const field = formatPath(path) || whole;
  return { ok: false, field, message: `${field}: ${message}` };
}

/**
 * Turns a zod error into the one message a caller needs: which field, and what is wrong with it.
 * `prefix` is where the parsed value sits in the request; an unknown key is named itself, not its
 * parent object.
 */
export function firstIssue(error: z.ZodError, prefix: FieldPath = [], whole = "body"): Failure {
  const issue = error.issues[0];
  if (!issue) return failure(prefix, "invalid", whole);
  if (issue.code === "unrecognized_keys") {
    return failure([...prefix, ...issue.path, issue.keys[0] ?? ""], "is not a known field", whole);
  }
  return failure([...prefix, ...issue.path], issue.message, whole);
}
