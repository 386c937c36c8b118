import { ID_PREFIX } from "@hookyard/db";
import type { ErrorRequestHandler, Request, Router } from "express";
import { ApiError, notFound } from "./api-error.js";

type IdKind = keyof typeof ID_PREFIX;

/** TypeID's suffix: 26 characters of Crockford's lower-case base32, the first at most 7 (128 bits). */
const SUFFIX = /^[0-7][0-9a-hjkmnp-tv-z]{25}$/;

/** `<prefix of the kind>_<suffix>`; a literal RegExp for the suffix, so tests/regexes.test.ts reads it. */
function hasIdShape(kind: IdKind, text: string): boolean {
  const prefix = ID_PREFIX[kind];
  return text.startsWith(`${prefix}_`) && SUFFIX.test(text.slice(prefix.length + 1));
}

/**
 * The `:id` (or another parameter) of the path when it can be an id of this kind; anything else (NUL, junk, another kind's
 * id) cannot name a row, so it is not found, without asking Postgres about it.
 */
export function pathId(req: Request, kind: IdKind, param = "id"): string {
  const id = req.params[param];
  if (typeof id !== "string" || !hasIdShape(kind, id)) throw notFound(kind);
  return id;
}

/** Express's own error for a path parameter that is not valid percent-encoding ("%ZZ"). */
export function isParamDecodingError(error: unknown): boolean {
  return error instanceof URIError && (error as URIError & { status?: number }).status === 400;
}

/** Whether `text` could be an id of this kind (the shape only; for a query value such as a cursor). */
export function isIdOf(kind: IdKind, text: string): boolean {
  return hasIdShape(kind, text);
}

/** The index of the first path segment that is not valid percent-encoding; -1 when none. */
function malformedSegment(segments: readonly string[]): number {
  return segments.findIndex((segment) => {
    try {
      decodeURIComponent(segment);
      return false;
    } catch {
      return true;
    }
  });
}

/** The name of the parameter at segment `index` of the first of the router's routes the path fits. */
function parameterAt(router: Router, segments: readonly string[], index: number): string | null {
  for (const layer of router.stack) {
    const template = (layer.route as { path?: unknown } | undefined)?.path;
    if (typeof template !== "string") continue;
    const parts = template.split("/");
    const rest = parts.findIndex((part) => part.startsWith("*"));
    const fixed = rest < 0 ? parts : parts.slice(0, rest);
    if (rest < 0 ? parts.length !== segments.length : segments.length < parts.length) continue;
    if (!fixed.every((part, i) => part.startsWith(":") || part === segments[i])) continue;
    const part = rest >= 0 && index >= rest ? parts[rest] : parts[index];
    if (part?.startsWith(":") || part?.startsWith("*")) return part.slice(1);
  }
  return null;
}

/**
 * Express decodes path parameters before any handler runs, and reports a failure without saying
 * which parameter it was. Placed after a router's routes, this names it, by finding the malformed
 * segment and the route parameter at its place.
 */
export function badParamEncoding(router: Router): ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (!isParamDecodingError(error)) return next(error);
    const segments = req.path.split("/");
    const name = parameterAt(router, segments, malformedSegment(segments)) ?? "path";
    next(new ApiError(400, "invalid_path", `${name}: the path holds malformed percent-encoding`));
  };
}
