import type { IncomingMessage } from "node:http";
import express, { type RequestHandler } from "express";
import typeis from "type-is";
import { ApiError } from "./api-error.js";
import { refuseDeepJson } from "./deep-json.js";

/** The media types a JSON body may say it is. */
export const JSON_TYPES = ["application/json", "application/*+json"];

/** Whether the request has a body worth a media type: an empty POST (curl -X POST) has none. */
function carriesBody(req: IncomingMessage): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = Number(req.headers["content-length"]);
  return Number.isFinite(length) && length > 0;
}

/**
 * Reads a JSON body, answering 415 for a body of any other media type (the contract) rather than
 * leaving it unread for a 400 that blames the fields. For every route that takes a JSON body.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const mediaType: RequestHandler = (req, _res, next) => {
    if (carriesBody(req) && !typeis(req, JSON_TYPES)) {
      throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/json");
    }
    next();
  };
  return [mediaType, express.json({ limit, type: JSON_TYPES, verify: refuseDeepJson })];
}
