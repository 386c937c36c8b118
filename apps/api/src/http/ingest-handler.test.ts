import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { createLogger } from "@hookyard/logger";
import { manifestPush } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { INGEST_ROUTES } from "../routes/ingest.js";
import { type EventEnqueuer, QueueUnavailableError } from "../services/event-enqueuer.js";
import { createAuthFailureLimiter } from "./auth-limiter.js";
import { createIngestHandler } from "./ingest-handler.js";

const TOKEN = "unit-ingest-token-0123456789";

/** The ingest handler alone on a loopback server, with the enqueuer given; its log lines kept. */
async function serve(enqueuer: EventEnqueuer) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new PassThrough();
  destination.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
  });
  const logger = createLogger({ service: "test", level: "warn", destination });
  const handle = createIngestHandler(INGEST_ROUTES, {
    enqueuer,
    backpressure: { reason: () => null, close() {} },
    isIngestToken: (token) => token === TOKEN,
    authLimiter: createAuthFailureLimiter({ limit: 10, windowMs: 60_000, logger }),
    logger,
  });
  const server = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const post = () =>
    fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ingest/distribution`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(manifestPush({ repository: "acme/web", tag: "1.0" })),
    });
  return { post, lines };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

describe("ingest when the enqueuer fails", () => {
  it("answers 500 and logs the error with the request's id when it is a bug, not 503 as for an outage", async () => {
    const { post, lines } = await serve({
      enqueue: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'id')");
      },
    });
    const res = await post();
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "internal", message: "internal error; see the server log" } });
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toBeTruthy();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        requestId,
        error: expect.objectContaining({ message: "Cannot read properties of undefined (reading 'id')" }),
      }),
    );
  });

  it("answers 503 with nothing logged when Redis did not take the events", async () => {
    const { post, lines } = await serve({
      enqueue: async () => {
        throw new QueueUnavailableError(new Error("Connection is closed."));
      },
    });
    const res = await post();
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "unavailable" } });
    expect(lines.filter((line) => line.level === "error")).toEqual([]);
  });
});
