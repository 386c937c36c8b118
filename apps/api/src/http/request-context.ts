import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { maskSecretPath } from "@hookyard/core";
import type { Logger } from "@hookyard/logger";
import type { RequestHandler, Response } from "express";

const REQUEST_ID = /^[\w.-]{1,100}$/;

/**
 * Gives the request an id (the caller's X-Request-Id when sane), sends it back, and writes the
 * access log line when the answer is finished. Returns the id for other log lines about the request.
 */
export function beginRequest(logger: Logger, req: IncomingMessage, res: ServerResponse, path: string): string {
  const given = req.headers["x-request-id"];
  const requestId = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader("x-request-id", requestId);
  // A process logging at warn writes no access line: nothing to measure or listen for.
  if (!logger.isLevelEnabled("info")) return requestId;
  const started = performance.now();
  res.on("finish", () => {
    logger.info("request", {
      requestId,
      method: req.method,
      // A callback_url's token and Quay's path token are secrets: they never reach a log.
      path: maskSecretPath(path),
      status: res.statusCode,
      durationMs: Math.round(performance.now() - started),
    });
  });
  return requestId;
}

/** The id `requestContext` gave the request being answered. */
export function requestIdOf(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    res.locals.requestId = beginRequest(logger, req, res, req.path);
    next();
  };
}
