import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { queueLabel } from "@hookyard/queues";
import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { requireAdmin, requireUser } from "../http/authenticate.js";

export const BULL_BOARD_PATH = "/admin/queues";

/** Bull Board for global admins: bearer token, or Basic auth with the token as password in a browser. */
export function bullBoardRoutes(deps: ApiDeps): Router {
  const { queues } = deps;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    // Every delivery shard is a queue of its own, named as in the catalog.
    queues: [queues.events, ...queues.deliveryShards].map(
      (queue) => new BullMQAdapter(queue, { displayName: queueLabel(queue.name) }),
    ),
    serverAdapter,
  });
  const router = Router();
  router.use(BULL_BOARD_PATH, requireUser(deps, { basic: true }), requireAdmin, serverAdapter.getRouter());
  return router;
}
