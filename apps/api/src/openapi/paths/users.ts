import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { grantsQuery, tokensQuery, usersQuery } from "../../routes/users.js";
import { createGrantBody, createTokenBody, createUserBody } from "../../services/users.js";
import { idParam } from "../params.js";
import { AUTHENTICATED, errors, json, noContent, ok } from "../responses.js";
import {
  createdTokenSchema,
  createdUserSchema,
  grantListSchema,
  grantSchema,
  meSchema,
  tokenListSchema,
  userListSchema,
  userSchema,
} from "../schemas/users.js";

const tags = ["Users"];
const ADMIN_ONLY = [...AUTHENTICATED, 403] as const;
const userId = idParam("user", "the user's id");
const userPath = z.object({ id: userId });

/** /api/v1/users (global admins only) and /api/v1/me (routes/users.ts). */
export const userPaths: ZodOpenApiPathsObject = {
  "/api/v1/me": {
    get: {
      operationId: "getMe",
      tags,
      summary: "Who the caller is and what it administers",
      responses: { 200: ok("The caller", meSchema), ...errors(...AUTHENTICATED) },
    },
  },
  "/api/v1/users": {
    post: {
      operationId: "createUser",
      tags,
      summary: "Create a user and its first token",
      requestBody: { required: true, content: json(createUserBody.meta({ id: "CreateUserRequest" })) },
      responses: {
        201: ok("The user, with its token (shown only here)", createdUserSchema),
        ...errors(400, ...ADMIN_ONLY, 409, 413, 415),
      },
    },
    get: {
      operationId: "listUsers",
      tags,
      summary: "Every user, oldest first",
      requestParams: { query: usersQuery },
      responses: { 200: ok("A page of users", userListSchema), ...errors(400, ...ADMIN_ONLY) },
    },
  },
  "/api/v1/users/{id}": {
    get: {
      operationId: "getUser",
      tags,
      summary: "One user",
      requestParams: { path: userPath },
      responses: { 200: ok("The user", userSchema), ...errors(...ADMIN_ONLY, 404) },
    },
    delete: {
      operationId: "deleteUser",
      tags,
      summary: "Delete a user, its tokens and grants",
      description:
        "Its sessions go with its tokens. Webhooks and chains it created stay, without an author " +
        "(authorId null). 409 for the last global admin.",
      requestParams: { path: userPath },
      responses: { 204: noContent, ...errors(...ADMIN_ONLY, 404, 409) },
    },
  },
  "/api/v1/users/{id}/tokens": {
    post: {
      operationId: "createToken",
      tags,
      summary: "Give a user a further token",
      requestParams: { path: userPath },
      requestBody: { content: json(createTokenBody) },
      responses: {
        201: ok("The token (shown only here)", createdTokenSchema),
        ...errors(400, ...ADMIN_ONLY, 404, 413, 415),
      },
    },
    get: {
      operationId: "listTokens",
      tags,
      summary: "A user's tokens (never their values), oldest first",
      requestParams: { path: userPath, query: tokensQuery },
      responses: { 200: ok("A page of tokens", tokenListSchema), ...errors(400, ...ADMIN_ONLY, 404) },
    },
  },
  "/api/v1/users/{id}/tokens/{tokenId}": {
    delete: {
      operationId: "deleteToken",
      tags,
      summary: "Revoke a token at once",
      requestParams: { path: z.object({ id: userId, tokenId: idParam("token", "the token's id") }) },
      responses: { 204: noContent, ...errors(...ADMIN_ONLY, 404) },
    },
  },
  "/api/v1/users/{id}/grants": {
    post: {
      operationId: "createGrant",
      tags,
      summary: "Make a user admin of a repository or owner of a namespace",
      description: '`{"repository": "ns/repo", "role": "admin"}` or `{"namespace": "ns", "role": "owner"}`.',
      requestParams: { path: userPath },
      requestBody: { required: true, content: json(createGrantBody.meta({ id: "CreateGrantRequest" })) },
      responses: { 201: ok("The grant", grantSchema), ...errors(400, ...ADMIN_ONLY, 404, 409, 413, 415) },
    },
    get: {
      operationId: "listGrants",
      tags,
      summary: "A user's grants, oldest first",
      requestParams: { path: userPath, query: grantsQuery },
      responses: { 200: ok("A page of grants", grantListSchema), ...errors(400, ...ADMIN_ONLY, 404) },
    },
  },
  "/api/v1/users/{id}/grants/{grantId}": {
    delete: {
      operationId: "deleteGrant",
      tags,
      summary: "Take a grant back",
      requestParams: { path: z.object({ id: userId, grantId: idParam("grant", "the grant's id") }) },
      responses: { 204: noContent, ...errors(...ADMIN_ONLY, 404) },
    },
  },
};
