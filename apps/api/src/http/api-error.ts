/** An error the API answers with as `{"error": {"code", "message"}}`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Sent as Retry-After: when a 503's sender may try again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = "invalid_request") => new ApiError(400, code, message);
export const unauthorized = (message = "a valid bearer token is required") =>
  new ApiError(401, "unauthorized", message);
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const unavailable = (message: string, retryAfterSeconds = 1) =>
  new ApiError(503, "unavailable", message, retryAfterSeconds);
/** Ingest refuses more events until the workers have drained some (backpressure). */
export const overloaded = (message: string) => new ApiError(503, "overloaded", message, 5);
