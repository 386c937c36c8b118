import type { z } from "zod";

/** Turns a zod error into the one message a caller needs: which field, and what is wrong with it. */
export function firstIssue(error: z.ZodError): { ok: false; field: string; message: string } {
  const issue = error.issues[0];
  const field = issue?.path.length ? formatPath(issue.path) : "body";
  return { ok: false, field, message: `${field}: ${issue?.message ?? "invalid"}` };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}
