import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { within } from "../services/within.js";

async function check(probe: () => Promise<unknown>): Promise<string> {
  try {
    await within(1_000, probe(), "no answer");
    return "ok";
  } catch (error) {
    return `down: ${(error as Error).message}`;
  }
}

export function healthRoutes({ db, redis }: ApiDeps): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const [postgres, redisState] = await Promise.all([check(() => db.$queryRaw`SELECT 1`), check(() => redis.ping())]);
    const ready = postgres === "ok" && redisState === "ok";
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", postgres, redis: redisState });
  });
  return router;
}
