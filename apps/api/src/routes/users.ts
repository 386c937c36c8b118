import { deleteGrant, deleteToken, findUser, listGrants, listTokens, listUsers } from "@hookyard/db";
import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/api-error.js";
import { currentUser, requireAdmin, requireUser } from "../http/authenticate.js";
import { jsonBody } from "../http/json-body.js";
import { badParamEncoding, pathId } from "../http/path-id.js";
import {
  createGrant,
  createToken,
  createUser,
  presentGrant,
  presentMe,
  presentUser,
  removeUser,
} from "../services/users.js";

/** Users, their tokens and grants (global admins only), and /me (anyone with a token). */
export function userRoutes(deps: ApiDeps): Router {
  const { db } = deps;
  const router = Router();

  router.get("/api/v1/me", requireUser(deps), (req, res) => {
    res.json(presentMe(currentUser(req)));
  });

  router.use("/api/v1/users", requireUser(deps), requireAdmin, ...jsonBody("16kb"));

  router.post("/api/v1/users", async (req, res) => {
    res.status(201).json(await createUser(db, req.body));
  });

  router.get("/api/v1/users", async (_req, res) => {
    res.json({ items: (await listUsers(db)).map(presentUser) });
  });

  router.get("/api/v1/users/:id", async (req, res) => {
    const user = await findUser(db, pathId(req, "user"));
    if (!user) throw notFound("user");
    res.json(presentUser(user));
  });

  router.delete("/api/v1/users/:id", async (req, res) => {
    await removeUser(db, pathId(req, "user"));
    res.status(204).end();
  });

  router.post("/api/v1/users/:id/tokens", async (req, res) => {
    res.status(201).json(await createToken(db, pathId(req, "user"), req.body));
  });

  router.get("/api/v1/users/:id/tokens", async (req, res) => {
    const tokens = await listTokens(db, pathId(req, "user"));
    if (!tokens) throw notFound("user");
    res.json({ items: tokens });
  });

  router.delete("/api/v1/users/:id/tokens/:tokenId", async (req, res) => {
    const userId = pathId(req, "user");
    if (!(await deleteToken(db, userId, pathId(req, "token", "tokenId")))) throw notFound("token");
    res.status(204).end();
  });

  router.post("/api/v1/users/:id/grants", async (req, res) => {
    res.status(201).json(await createGrant(db, pathId(req, "user"), req.body));
  });

  router.get("/api/v1/users/:id/grants", async (req, res) => {
    const grants = await listGrants(db, pathId(req, "user"));
    if (!grants) throw notFound("user");
    res.json({ items: grants.map(presentGrant) });
  });

  router.delete("/api/v1/users/:id/grants/:grantId", async (req, res) => {
    const userId = pathId(req, "user");
    if (!(await deleteGrant(db, userId, pathId(req, "grant", "grantId")))) throw notFound("grant");
    res.status(204).end();
  });
  router.use(badParamEncoding(router));
  return router;
}
