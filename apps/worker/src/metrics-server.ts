import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authorizationScheme, hashToken, presentedToken } from "@hookyard/core";
import { type Db, findUserByTokenHash, storeErrorReason } from "@hookyard/db";
import type { Logger } from "@hookyard/logger";
import { registry } from "./metrics.js";

export interface MetricsServerOptions {
  /** 0 picks a free port (tests); the config's 0 means no server at all and never gets here. */
  port: number;
  host?: string;
  /** HOOKYARD_METRICS_PUBLIC: answer /metrics without a token. */
  public: boolean;
  db: Db;
  logger: Logger;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** How long after its last check a scraper's token still opens /metrics while Postgres is away. */
const ADMITTED_THROUGH_OUTAGE_MS = 15 * 60_000;

const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * The worker's own small HTTP server: `GET /metrics` (this process's counters, Prometheus text) and
 * `GET /healthz`. Each worker is scraped on its own (a pod each in Kubernetes). /metrics takes a
 * global admin's API token, checked against Postgres as the API checks it, unless
 * HOOKYARD_METRICS_PUBLIC is set.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { db, logger } = options;
  /** The token last found to be a global admin's, by hash, and when: while Postgres is away it
   * still opens /metrics for a while, so that the scrape shows the outage (hookyard_store_available)
   * instead of failing. A token revoked meanwhile cannot be checked then; it reads counters only. */
  let admitted: { hash: string; at: number } | null = null;

  async function serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options.public) {
      // Bearer only, as on the API's /metrics: Basic is for DTR scripts and Bull Board.
      const bearer = authorizationScheme(req.headers.authorization) === "bearer";
      const token = bearer ? presentedToken(req.headers.authorization) : null;
      if (!token) {
        send(res, 401, error("unauthorized", "a valid bearer token is required"), { "www-authenticate": "Bearer" });
        return;
      }
      const hash = hashToken(token);
      let user: Awaited<ReturnType<typeof findUserByTokenHash>>;
      try {
        user = await findUserByTokenHash(db, hash);
      } catch (cause) {
        if (admitted?.hash === hash && Date.now() - admitted.at < ADMITTED_THROUGH_OUTAGE_MS) {
          await serveRegistry(res);
          return;
        }
        logger.warn("metrics: cannot check the token", { reason: storeErrorReason(cause) });
        send(res, 503, error("unavailable", "the database is unavailable; the token cannot be checked"));
        return;
      }
      if (!user) {
        send(res, 401, error("unauthorized", "the token is not valid"), { "www-authenticate": "Bearer" });
        return;
      }
      if (!user.admin) {
        send(res, 403, error("forbidden", "this needs a global admin"));
        return;
      }
      admitted = { hash, at: Date.now() };
    }
    await serveRegistry(res);
  }

  async function serveRegistry(res: ServerResponse): Promise<void> {
    const text = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType });
    res.end(text);
  }

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path !== "/metrics" && path !== "/healthz") {
      send(res, 404, error("not_found", "not found: this server has GET /metrics and GET /healthz"));
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(res, 405, error("method_not_allowed", "only GET"), { allow: "GET, HEAD" });
      return;
    }
    if (path === "/healthz") {
      send(res, 200, { status: "ok" });
      return;
    }
    serveMetrics(req, res).catch((cause: unknown) => {
      logger.error("metrics: cannot answer", { error: cause });
      if (!res.headersSent) send(res, 500, error("internal_error", "the metrics could not be read"));
      else res.destroy();
    });
  });
  // A scrape is one short request; an idle keep-alive connection must not hold shutdown up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (cause) => logger.error("metrics server error", { error: cause }));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
