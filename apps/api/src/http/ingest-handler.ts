import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { findUnstorable, type ParseResult, presentedToken } from "@hookyard/core";
import type { Logger } from "@hookyard/logger";
import { endServerSpan, type MaybeSpan, startServerSpan } from "@hookyard/telemetry";
import bodyParser from "body-parser";
import typeis from "type-is";
import type { Backpressure } from "../services/backpressure.js";
import type { EventEnqueuer } from "../services/event-enqueuer.js";
import { ingest } from "../services/ingest.js";
import { ingestRefused } from "../services/ingest-metrics.js";
import { ApiError, badRequest, overloaded, unauthorized } from "./api-error.js";
import { type AuthFailureLimiter, clientAddress } from "./auth-limiter.js";
import { refuseDeepJson } from "./deep-json.js";
import { apiErrorOf, errorBody, INTERNAL_ERROR_BODY } from "./error-handler.js";
import { beginRequest } from "./request-context.js";
import { sendJson } from "./send-json.js";

/** Largest envelope accepted; Distribution sends one to a few events of about 1 KiB each. */
export const INGEST_BODY_LIMIT = 1024 * 1024;

export interface IngestRoute {
  path: string;
  /** 415 for any other Content-Type; the body is parsed as JSON whatever its media type says. */
  mediaTypes: string[];
  /**
   * Also served at `<path>/<token>`, the ingest token as the last segment and checked as a Bearer
   * header's would be, for registries whose webhooks can only call a bare URL (Quay).
   */
  tokenInPath?: boolean;
  /** `headers` are the request's: CloudEvents binary mode carries the event's attributes there.
   * `query` is the request's query string (Quay's `?event=`). */
  parse(body: unknown, contentType: string, headers: IncomingHttpHeaders, query: URLSearchParams): ParseResult;
}

interface IngestHandlerDeps {
  enqueuer: EventEnqueuer;
  backpressure: Backpressure;
  isIngestToken: (token: string) => boolean;
  /** A wrong ingest token counts as a failed authentication of its client address. */
  authLimiter: AuthFailureLimiter;
  logger: Logger;
}

type RequestWithBody = IncomingMessage & { body?: unknown };

/** Express matches paths case-insensitively and with or without a trailing slash; so does this. */
function routeKey(url: string | undefined): { path: string; key: string } {
  const path = (url ?? "/").split("?", 1)[0] as string;
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return { path, key: trimmed.toLowerCase() };
}

/** The segment percent-decoded; null when its percent-encoding is malformed. */
function decodedSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    if (error instanceof URIError) return null;
    throw error;
  }
}

function queryOf(url: string | undefined): URLSearchParams {
  const at = url?.indexOf("?") ?? -1;
  return new URLSearchParams(at < 0 ? "" : url?.slice(at + 1));
}

/**
 * Serves the ingest routes on Node's own request and response, ahead of Express, because
 * registries post here thousands of times a second and Express's request handling cost more than
 * all of ingest's own work (docs/decisions/0003-ingest-outside-express.md). The parts are Express's
 * own: body-parser reads the body (limit, charset, compression, the same errors), type-is checks
 * the media type, and answers, errors, the request id and the access log line are the same as on
 * every other route. Returns false for a request that is not an ingest request, for Express to serve.
 */
export function createIngestHandler(routes: readonly IngestRoute[], deps: IngestHandlerDeps) {
  const byKey = new Map(routes.map((route) => [route.path.toLowerCase(), route]));
  const byTokenPrefix = new Map(routes.filter((r) => r.tokenInPath).map((r) => [`${r.path.toLowerCase()}/`, r]));
  const readJson = bodyParser.json({
    type: () => true,
    limit: INGEST_BODY_LIMIT,
    strict: false,
    verify: refuseDeepJson,
  });

  function body(req: RequestWithBody, res: ServerResponse): Promise<unknown> {
    return new Promise((resolve, reject) => readJson(req, res, (error) => (error ? reject(error) : resolve(req.body))));
  }

  /** `<route path>/<token>` of a route that takes its token in the path; null for any other path. */
  function pathTokenRoute(path: string, key: string): { route: IngestRoute; token: string } | null {
    const route = byTokenPrefix.get(key.slice(0, key.lastIndexOf("/") + 1));
    if (!route) return null;
    const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
    const token = trimmed.slice(trimmed.lastIndexOf("/") + 1);
    return token === "" ? null : { route, token };
  }

  /** The token of the path's last segment; what a header could not carry is no ingest token, and
   * an empty string never is one. */
  function usablePathToken(segment: string): string {
    const token = decodedSegment(segment);
    return token !== null && /^[\x21-\x7e]+$/.test(token) ? token : "";
  }

  /** One of HOOKYARD_INGEST_TOKENS, from the Authorization header (Bearer, or Basic's password) or
   * the path; a wrong one is a failed authentication of the client's address. Neither answer
   * repeats the token. */
  function authenticate(req: IncomingMessage, segment: string | null): void {
    const token = segment === null ? presentedToken(req.headers.authorization) : usablePathToken(segment);
    if (token === null) throw unauthorized("an ingest token is required (Authorization: Bearer <token>)");
    const address = clientAddress(req.socket.remoteAddress);
    deps.authLimiter.assertAllowed(address);
    if (token === "" || !deps.isIngestToken(token)) {
      deps.authLimiter.recordFailure(address);
      throw unauthorized("the ingest token is not valid");
    }
  }

  async function serve(
    route: IngestRoute,
    req: RequestWithBody,
    res: ServerResponse,
    pathToken: string | null,
    span: MaybeSpan,
  ): Promise<void> {
    authenticate(req, pathToken);
    if (!typeis(req, route.mediaTypes)) {
      throw new ApiError(415, "unsupported_media_type", `Content-Type must be one of ${route.mediaTypes.join(", ")}`);
    }
    const busy = deps.backpressure.reason();
    if (busy) throw overloaded(busy);
    const json = await body(req, res);
    // What Postgres could not store is refused here, whichever source sent it (core storable.ts).
    const unstorable = findUnstorable(json);
    if (unstorable) throw badRequest(unstorable.message);
    const parsed = route.parse(json, req.headers["content-type"] ?? "", req.headers, queryOf(req.url));
    sendJson(res, 202, await ingest(deps.enqueuer, parsed, span));
  }

  function fail(res: ServerResponse, requestId: string, error: unknown): void {
    const apiError = apiErrorOf(error);
    if (!apiError) deps.logger.error("unhandled error", { requestId, error });
    else if (apiError.status === 503) ingestRefused.inc({ reason: apiError.code });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (apiError?.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(apiError.retryAfterSeconds));
    if (apiError) sendJson(res, apiError.status, errorBody(apiError));
    else sendJson(res, 500, INTERNAL_ERROR_BODY);
  }

  return function handleIngest(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "POST") return false;
    const { path, key } = routeKey(req.url);
    const bare = byKey.get(key);
    const withToken = bare ? null : pathTokenRoute(path, key);
    const route = bare ?? withToken?.route;
    if (!route) return false;
    // The access log line masks the path token (request-context.ts).
    const requestId = beginRequest(deps.logger, req, res, path);
    const span = startServerSpan({
      method: "POST",
      route: withToken ? `${route.path}/{token}` : route.path,
      scheme: "encrypted" in req.socket ? "https" : "http",
      headers: req.headers,
      clientAddress: req.socket.remoteAddress,
    });
    if (span) res.once("close", () => endServerSpan(span, res.statusCode));
    serve(route, req, res, withToken?.token ?? null, span).catch((error: unknown) => fail(res, requestId, error));
    return true;
  };
}
