import type { IncomingMessage, ServerResponse } from "node:http";
import { tooDeepJson } from "@hookyard/core";
import iconv from "iconv-lite";
import { badRequest } from "./api-error.js";

/**
 * body-parser's `verify` for every JSON body: one nested deeper than findUnstorable allows is refused
 * with its answer before JSON.parse spends seconds on it (core json-depth.ts). A body in another
 * Unicode charset than UTF-8 is decoded as body-parser is about to.
 */
export function refuseDeepJson(_req: IncomingMessage, _res: ServerResponse, body: Buffer, encoding: string): void {
  const utf8 = encoding === "utf-8" ? body : Buffer.from(iconv.decode(body, encoding), "utf8");
  const tooDeep = tooDeepJson(utf8);
  if (tooDeep) throw badRequest(tooDeep.message);
}
