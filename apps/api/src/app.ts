import express from "express";
import type { ApiDeps } from "./deps.js";
import { errorHandler, notFoundHandler } from "./http/error-handler.js";
import { requestContext } from "./http/request-context.js";
import { apiDocsRoutes } from "./routes/api-docs.js";
import { bullBoardRoutes } from "./routes/bull-board.js";
import { callbackRoutes } from "./routes/callbacks.js";
import { chainRunRoutes } from "./routes/chain-runs.js";
import { chainRoutes } from "./routes/chains.js";
import { deliveryRoutes } from "./routes/deliveries.js";
import { dtrV0Routes } from "./routes/dtr-v0.js";
import { healthRoutes } from "./routes/health.js";
import { limitRoutes } from "./routes/limits.js";
import { metricsRoutes } from "./routes/metrics.js";
import { overviewRoutes } from "./routes/overview.js";
import { repositoryRoutes } from "./routes/repositories.js";
import { sessionRoutes } from "./routes/session.js";
import { userRoutes } from "./routes/users.js";
import { webUiRoutes } from "./routes/web-ui.js";
import { webhookRoutes } from "./routes/webhooks.js";

/** Every route but ingest, which runs ahead of Express (http/ingest-handler.ts). */
export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestContext(deps.logger));
  app.use(healthRoutes(deps));
  app.use(sessionRoutes(deps));
  app.use(webhookRoutes(deps));
  app.use(chainRoutes(deps));
  app.use(chainRunRoutes(deps));
  app.use(repositoryRoutes(deps));
  app.use(dtrV0Routes(deps));
  app.use(userRoutes(deps));
  app.use(limitRoutes(deps));
  app.use(overviewRoutes(deps));
  app.use(deliveryRoutes(deps));
  app.use(callbackRoutes(deps));
  app.use(bullBoardRoutes(deps));
  app.use(metricsRoutes(deps));
  app.use(apiDocsRoutes(deps));
  app.use(webUiRoutes(deps.config.webDist ?? undefined));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
