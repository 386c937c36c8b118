import { deleteGrant, deleteToken, findUser, listGrants, listTokens, listUsers, mapPage } from "@hookyard/db";
import { Router } from "express";
import { z } from "zod";
import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/api-error.js";
import { currentUser, requireAdmin, requireUser } from "../http/authenticate.js";
import { jsonBody } from "../http/json-body.js";
import { idCursor, pageFields } from "../http/paging.js";
import { badParamEncoding, pathId } from "../http/path-id.js";
import { parseInput } from "../http/validate.js";
import {
  createGrant,
  createToken,
  createUser,
  presentGrant,
  presentMe,
  presentUser,
  removeUser,
} from "../services/users.js";

export const usersQuery = z.object(pageFields(idCursor("user")));
export const tokensQuery = z.object(pageFields(idCursor("token")));
export const grantsQuery = z.object(pageFields(idCursor("grant")));

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

  router.get("/api/v1/users", async (req, res) => {
    res.json(mapPage(await listUsers(db, parseInput(usersQuery, req.query, "query")), presentUser));
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
    const tokens = await listTokens(db, pathId(req, "user"), parseInput(tokensQuery, req.query, "query"));
    if (!tokens) throw notFound("user");
    res.json(tokens);
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
    const grants = await listGrants(db, pathId(req, "user"), parseInput(grantsQuery, req.query, "query"));
    if (!grants) throw notFound("user");
    res.json(mapPage(grants, presentGrant));
  });

  router.delete("/api/v1/users/:id/grants/:grantId", async (req, res) => {
    const userId = pathId(req, "user");
    if (!(await deleteGrant(db, userId, pathId(req, "grant", "grantId")))) throw notFound("grant");
    res.status(204).end();
  });
  router.use(badParamEncoding(router));
  return router;
}
