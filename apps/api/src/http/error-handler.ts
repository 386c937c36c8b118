import type { Logger } from "@hookyard/logger";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { ApiError } from "./api-error.js";
import { requestIdOf } from "./request-context.js";

/** Errors body-parser raises for what the client sent. */
function fromBodyParser(error: { type?: string; status?: number; limit?: number }): ApiError | null {
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
      return null;
  }
}

/** What the client is told about `error`: an ApiError, or one made of a body-parser error; null means a bug (500). */
export function apiErrorOf(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  return error && typeof error === "object" ? fromBodyParser(error) : null;
}

export function errorBody(error: ApiError) {
  return { error: { code: error.code, message: error.message } };
}

export const INTERNAL_ERROR_BODY = { error: { code: "internal", message: "internal error; see the server log" } };

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    const apiError = apiErrorOf(error);
    if (apiError) {
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
  res.status(404).json({ error: { code: "not_found", message: `no route for ${req.method} ${req.path}` } });
};
