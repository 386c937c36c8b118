import { describe, expect, it } from "vitest";
import { ApiError } from "./api-error.js";
import { apiErrorOf } from "./error-handler.js";

/** An error shaped as http-errors makes them (body-parser, raw-body, Express). */
function httpError(status: number, message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { status, statusCode: status, expose: status < 500, ...extra });
}

describe("apiErrorOf", () => {
  it("passes an ApiError through", () => {
    const error = new ApiError(409, "conflict", "already there");
    expect(apiErrorOf(error)).toBe(error);
  });

  it("keeps the specific body-parser mappings", () => {
    expect(
      apiErrorOf(httpError(413, "request entity too large", { type: "entity.too.large", limit: 65536 })),
    ).toMatchObject({ status: 413, code: "payload_too_large" });
    expect(apiErrorOf(httpError(400, "Unexpected token", { type: "entity.parse.failed" }))).toMatchObject({
      status: 400,
      code: "malformed_json",
    });
    expect(apiErrorOf(httpError(415, 'unsupported charset "X"', { type: "charset.unsupported" }))).toMatchObject({
      status: 415,
      code: "unsupported_media_type",
    });
  });

  it("answers 400 for a body that is not what its Content-Encoding says (zlib's error, as body-parser passes it)", () => {
    const zlib = httpError(400, "incorrect header check", { code: "Z_DATA_ERROR", errno: -3 });
    expect(apiErrorOf(zlib)).toMatchObject({ status: 400, code: "bad_request_body", message: /Content-Encoding/ });
  });

  it("turns any other exposed client error into an ApiError of its status", () => {
    expect(apiErrorOf(httpError(400, "something the client did"))).toMatchObject({
      status: 400,
      code: "bad_request",
      message: "something the client did",
    });
    expect(apiErrorOf(httpError(408, "request timeout"))).toMatchObject({ status: 408, code: "request_timeout" });
    expect(apiErrorOf(httpError(422, "unprocessable"))).toMatchObject({ status: 422, code: "bad_request" });
  });

  it("leaves server errors and unexposed errors to the 500 handler", () => {
    expect(apiErrorOf(httpError(500, "database exploded"))).toBeNull();
    expect(apiErrorOf(httpError(503, "down"))).toBeNull();
    expect(apiErrorOf(httpError(400, "internal detail", { expose: false }))).toBeNull();
    expect(apiErrorOf(new Error("bug"))).toBeNull();
    expect(apiErrorOf(null)).toBeNull();
    expect(apiErrorOf("text")).toBeNull();
  });

  it("answers 503 for a pooled Postgres connection cut mid-query, which pg throws unwrapped", () => {
    // Seen under load in tests/fault-postgres-outage.test.ts: pg-pool's Error, through Prisma's adapter.
    expect(apiErrorOf(new Error("Connection terminated unexpectedly"))).toMatchObject({
      status: 503,
      code: "unavailable",
    });
    expect(apiErrorOf(new Error("something terminated the connection"))).toBeNull();
  });

  it("answers 400 for Express's path-parameter decoding error", () => {
    const decoding = Object.assign(new URIError("Failed to decode param '%ZZ'"), { status: 400, statusCode: 400 });
    expect(apiErrorOf(decoding)).toMatchObject({ status: 400, code: "invalid_path", message: /^path: / });
  });
});
