import { randomUUID } from "node:crypto";
import { type Logger, withLogContext } from "@hookyard/logger";
import type { RequestHandler } from "express";

const REQUEST_ID = /^[\w.-]{1,100}$/;

/** Gives each request an id (the caller's X-Request-Id when sane), on every log line and the answer. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.header("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader("x-request-id", requestId);
    const started = performance.now();
    withLogContext({ requestId }, () => {
      res.on("finish", () => {
        logger.info("request", {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          durationMs: Math.round(performance.now() - started),
        });
      });
      next();
    });
  };
}
