import type { ServerResponse } from "node:http";

/** Answers `body` as JSON, as Express's `res.json` would, for the ingest handler that runs before Express. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
