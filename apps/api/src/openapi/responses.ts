import { z } from "zod";
import type { ZodOpenApiContentObject, ZodOpenApiResponseObject, ZodOpenApiResponsesObject } from "zod-openapi";

/** Every error the API answers (http/error-handler.ts): the code is stable, the message is for people. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "machine-readable, e.g. invalid_request, not_found, conflict" }),
      message: z.string().meta({ description: "what went wrong; for a 400 it starts with the field at fault" }),
    }),
  })
  .meta({ id: "Error" });

export function json(schema: z.ZodType): ZodOpenApiContentObject {
  return { "application/json": { schema } };
}

export function ok(description: string, schema: z.ZodType): ZodOpenApiResponseObject {
  return { description, content: json(schema) };
}

export const noContent: ZodOpenApiResponseObject = { description: "Done; no body" };

const retryAfter = z.object({
  "Retry-After": z.string().meta({ description: "seconds to wait before trying again" }),
});

/** The error statuses of the contract, each registered once as a component and referred to. */
const ERROR_DESCRIPTIONS = {
  400: { id: "BadRequest", description: "Invalid input; the message names the field" },
  401: {
    id: "Unauthorized",
    description: "No token, a token that is not valid, or Basic auth where only /api/v0 and /admin/queues take it",
  },
  403: {
    id: "Forbidden",
    description:
      "Authenticated, but not allowed to do this; or (code cross_origin, csrf) a write made with Basic auth or the " +
      "session cookie from another Origin, or without the session's X-CSRF-Token",
  },
  404: { id: "NotFound", description: "Not found, or not visible to the caller" },
  409: { id: "Conflict", description: "Conflicts with what exists (the message says what)" },
  410: { id: "Gone", description: "Existed, and has expired" },
  413: { id: "PayloadTooLarge", description: "The request body is larger than the route's limit" },
  415: {
    id: "UnsupportedMediaType",
    description:
      "The body is not of a media type the route takes; or a write made with the session cookie (or a POST made " +
      "with Basic auth) without Content-Type: application/json, even with no body",
  },
  429: {
    id: "TooManyRequests",
    description:
      "Too many failed authentications from the client's address (HOOKYARD_AUTH_FAILURE_LIMIT in " +
      "HOOKYARD_AUTH_FAILURE_WINDOW): every request presenting a credential is refused until Retry-After",
    headers: retryAfter,
  },
  503: {
    id: "Unavailable",
    description: "A backing service (Postgres, Redis) is down, or ingest is overloaded; retry after Retry-After",
    headers: retryAfter,
  },
} as const;

export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

// zod-openapi knows a registered response by its object: each must be one object, used everywhere.
const ERROR_RESPONSES = Object.fromEntries(
  Object.entries(ERROR_DESCRIPTIONS).map(([status, response]) => [status, { ...response, content: json(errorSchema) }]),
) as Record<ErrorStatus, ZodOpenApiResponseObject>;

/** The documented error answers of an operation, by status. */
export function errors(...statuses: ErrorStatus[]): ZodOpenApiResponsesObject {
  return Object.fromEntries(statuses.map((status) => [String(status), ERROR_RESPONSES[status]]));
}

/** What every route behind a user's token may answer besides its own errors. */
export const AUTHENTICATED: ErrorStatus[] = [401, 429, 503];

/** Where Basic auth is taken besides a bearer token and the session cookie: DTR scripts and Bull Board. */
export const WITH_BASIC: Array<Record<string, string[]>> = [
  { bearerAuth: [] },
  { basicAuth: [] },
  { sessionCookie: [] },
];
