import { z } from "zod";
import { type Failure, type FieldPath, failure } from "./sources/first-issue.js";

/**
 * What Postgres can hold, checked at the edge so that an event it would refuse is a 400 naming the
 * field instead of a 202 whose job then fails in the worker, taking its batch neighbours with it.
 * Every ingest route and every API body and query go through `findUnstorable`; every source reads
 * its timestamps and ids with the schemas below.
 */

/** Deeper JSON than this is refused: no registry sends it, and recursive code downstream
 * (hashing, rendering, JSON.stringify in the queue client) would overflow its stack on it. */
export const MAX_JSON_DEPTH = 32;

/** The longest event id a source may send: ids end up in a unique index, whose rows are bounded. */
export const MAX_EVENT_ID_LENGTH = 256;

/** Event times Hookyard stores, in UTC. Wider than any registry needs; narrower than both JavaScript
 * dates and Postgres, whose limits differ (a year past 9999 is written "+010000-…", which Postgres
 * reads as a time zone). */
export const EARLIEST_EVENT_TIME = Date.UTC(1970, 0, 1);
export const LATEST_EVENT_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const TIME_RANGE = "must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z";

/** Why a string cannot be stored as text or jsonb, or null when it can. */
function stringProblem(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain NUL (\\u0000) characters";
  // A lone UTF-16 surrogate has no UTF-8 form: jsonb refuses it and text would silently change it.
  if (!value.isWellFormed()) return "must not contain unpaired UTF-16 surrogates";
  return null;
}

/** A value met on the walk, linked to its parent so that a path is built only for a failure. */
interface Visit {
  value: unknown;
  key: string | number | null;
  parent: Visit | null;
  depth: number;
}

function pathOf(visit: Visit): FieldPath {
  const path: Array<string | number> = [];
  for (let at: Visit | null = visit; at && at.key !== null; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * The first place in a parsed JSON value that Postgres could not store (a string or key with NUL or
 * a lone surrogate) or that is nested deeper than MAX_JSON_DEPTH, as a failure naming it; null when
 * all is well. Iterative, so a hostile depth cannot overflow this function's own stack; on the ingest
 * hot path, so it builds a field's path only when it has found something wrong.
 */
export function findUnstorable(value: unknown, whole = "body"): Failure | null {
  const stack: Visit[] = [{ value, key: null, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const current = visit.value;
    if (typeof current === "string") {
      const problem = stringProblem(current);
      if (problem) return failure(pathOf(visit), problem, whole);
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    if (visit.depth >= MAX_JSON_DEPTH) {
      return failure(pathOf(visit), `is nested deeper than ${MAX_JSON_DEPTH} levels`, whole);
    }
    const depth = visit.depth + 1;
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], key: i, parent: visit, depth });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      const problem = stringProblem(key);
      if (problem) return failure(pathOf(visit), `has a key that ${problem}`, whole);
      stack.push({ value: (current as Record<string, unknown>)[key], key, parent: visit, depth });
    }
  }
  return null;
}

function inEventRange(ms: number): boolean {
  return ms >= EARLIEST_EVENT_TIME && ms <= LATEST_EVENT_TIME;
}

/** An RFC 3339 time with an offset, inside the stored range, kept as sent. */
export const eventTimeText = z.iso
  .datetime({ offset: true, local: false })
  .refine((value) => inEventRange(Date.parse(value)), TIME_RANGE);

/** The same, parsed to its UTC ISO form. */
export const eventTime = eventTimeText.transform((value) => new Date(value).toISOString());

/** Seconds since the epoch (Harbor's occur_at), inside the stored range. */
export const eventTimeSeconds = z
  .int()
  .refine((seconds) => inEventRange(seconds * 1000), TIME_RANGE)
  .transform((seconds) => new Date(seconds * 1000).toISOString());

/** A source's own event id: it becomes part of a unique key. */
export const eventId = z.string().min(1).max(MAX_EVENT_ID_LENGTH);

/** For fields Hookyard passes through from a receiver (bodies, headers, errors) rather than checks:
 * the text made storable, NULs shown as U+FFFD and lone surrogates replaced the same way. */
export function storableText(value: string): string {
  const noNul = value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value;
  return noNul.isWellFormed() ? noNul : noNul.toWellFormed();
}

/** `storableText` on every key and value of a header map. */
export function storableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[storableText(name)] = storableText(value);
  return out;
}

/**
 * The last check before an event is queued, whatever source made it: the fields that go into
 * unique keys and timestamp columns. Sources already refuse what they read; this catches a source
 * that forgot, so that no event Postgres would refuse is ever answered 202.
 */
export function checkStorableEvent(event: { dedupKey: string; occurredAt: string }, path: FieldPath): Failure | null {
  // The dedup key is the source's id plus a short prefix and suffix.
  if (event.dedupKey.length > MAX_EVENT_ID_LENGTH * 2 + 64) {
    return failure(path, `id is longer than ${MAX_EVENT_ID_LENGTH} characters`);
  }
  if (!inEventRange(Date.parse(event.occurredAt))) return failure(path, `time ${TIME_RANGE}`);
  return null;
}

export type { Failure };
