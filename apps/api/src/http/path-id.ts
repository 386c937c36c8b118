import { ID_PREFIX } from "@hookyard/db";
import type { ErrorRequestHandler, Request } from "express";
import { ApiError, notFound } from "./api-error.js";

type IdKind = keyof typeof ID_PREFIX;

/** TypeID's suffix: 26 characters of Crockford's lower-case base32, the first at most 7 (128 bits). */
const SUFFIX = "[0-7][0-9a-hjkmnp-tv-z]{25}";
const ID_SHAPES = Object.fromEntries(
  Object.entries(ID_PREFIX).map(([kind, prefix]) => [kind, new RegExp(`^${prefix}_${SUFFIX}$`)]),
) as Record<IdKind, RegExp>;

/**
 * The `:id` (or another parameter) of the path when it can be an id of this kind; anything else (NUL, junk, another kind's
 * id) cannot name a row, so it is not found, without asking Postgres about it.
 */
export function pathId(req: Request, kind: IdKind, param = "id"): string {
  const id = req.params[param];
  if (typeof id !== "string" || !ID_SHAPES[kind].test(id)) throw notFound(kind);
  return id;
}

/** Express's own error for a path parameter that is not valid percent-encoding ("%ZZ"). */
export function isParamDecodingError(error: unknown): boolean {
  return error instanceof URIError && (error as URIError & { status?: number }).status === 400;
}

/**
 * Express decodes path parameters before any handler runs, and reports a failure without saying
 * which parameter it was. Placed after a router's routes, this names it: `name` must be the only
 * parameter those routes have.
 */
export function badParamEncoding(name: string): ErrorRequestHandler {
  return (error, _req, _res, next) => {
    if (!isParamDecodingError(error)) return next(error);
    next(new ApiError(400, "invalid_path", `${name}: the path holds malformed percent-encoding`));
  };
}
