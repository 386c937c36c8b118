import { maskSecretPath } from "@hookyard/core";
import { classifyStoreError } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { ApiError, unavailable } from "./api-error.js";
import { isParamDecodingError } from "./path-id.js";
import { requestIdOf } from "./request-context.js";

/** The fields of an http-errors style error (body-parser, raw-body, Express) that matter here. */
interface HttpErrorLike {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
  limit?: number;
  code?: string;
  message?: string;
}

/** Errors body-parser raises for what the client sent. */
function fromBodyParser(error: HttpErrorLike): ApiError | null {
  switch (error.type) {
    case "entity.too.large":
      return new ApiError(
        413,
        "payload_too_large",
        `the request body is larger than the limit of ${error.limit} bytes`,
      );
    case "entity.parse.failed":
      return new ApiError(400, "malformed_json", "the request body is not valid JSON");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new ApiError(415, "unsupported_media_type", "the request body's encoding or charset is not supported");
    case "request.aborted":
    case "request.size.invalid":
    case "stream.encoding.set":
      return new ApiError(400, "bad_request_body", "the request body could not be read");
    default:
      break;
  }
  // zlib's own error, passed on by body-parser as a 400 without a type: a body that says
  // Content-Encoding: gzip (or deflate, br) and is not.
  if (typeof error.code === "string" && error.code.startsWith("Z_")) {
    return new ApiError(400, "bad_request_body", "the request body could not be decoded as its Content-Encoding says");
  }
  return null;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  408: "request_timeout",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/**
 * Any other client error a library raised and marked safe to show (http-errors' `expose`): its
 * status and message, rather than a 500 for what the client did.
 */
function fromHttpError(error: HttpErrorLike): ApiError | null {
  const status = error.status ?? error.statusCode;
  if (error.expose !== true || typeof status !== "number" || status < 400 || status > 499) return null;
  const message = (error.message || "the request could not be handled").slice(0, 200);
  return new ApiError(status, CODE_BY_STATUS[status] ?? "bad_request", message);
}

/** What the client is told about `error`: an ApiError, or one made of a client error a library
 * raised (body-parser, Express); null means a bug (500). */
export function apiErrorOf(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (!error || typeof error !== "object") return null;
  // Routes with parameters name them (path-id.ts); this is for any other route's.
  if (isParamDecodingError(error)) {
    return new ApiError(400, "invalid_path", "path: a path parameter holds malformed percent-encoding");
  }
  return fromBodyParser(error) ?? fromHttpError(error) ?? fromStoreOutage(error);
}

/** Postgres away (refused, restarting, timed out): the caller should retry, as the contract's 503 says. */
function fromStoreOutage(error: object): ApiError | null {
  const name = (error as { name?: unknown }).name;
  const fromPrisma = typeof name === "string" && name.startsWith("PrismaClient");
  // A pooled connection cut mid-query reaches us as pg's own Error, not wrapped by Prisma.
  const fromPg = /^Connection terminated/.test((error as { message?: unknown }).message as string);
  if (!(fromPrisma || fromPg) || classifyStoreError(error) !== "unavailable") return null;
  return unavailable("the database is unavailable; retry later");
}

export function errorBody(error: ApiError) {
  return { error: { code: error.code, message: error.message } };
}

export const INTERNAL_ERROR_BODY = { error: { code: "internal", message: "internal error; see the server log" } };

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    const apiError = apiErrorOf(error);
    if (apiError) {
      if (apiError.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(apiError.retryAfterSeconds));
      if (apiError.status === 401 && res.req.path.startsWith("/admin/")) {
        res.setHeader("WWW-Authenticate", 'Basic realm="Hookyard"');
      }
      res.status(apiError.status).json(errorBody(apiError));
      return;
    }
    logger.error("unhandled error", { requestId: requestIdOf(res), error });
    res.status(500).json(INTERNAL_ERROR_BODY);
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  // The path is masked as in the access log: a mistyped callback or Quay ingest URL holds a secret.
  const path = maskSecretPath(req.path);
  res.status(404).json({ error: { code: "not_found", message: `no route for ${req.method} ${path}` } });
};
