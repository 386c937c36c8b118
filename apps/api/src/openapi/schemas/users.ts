import { z } from "zod";
import { createGrantBody } from "../../services/users.js";
import { countedPageOf, nullableTimestamp, timestamp } from "./common.js";

/** presentUser (services/users.ts). */
export const userSchema = z
  .object({ id: z.string(), name: z.string(), admin: z.boolean(), createdAt: timestamp })
  .meta({ id: "User" });

const token = z.string().meta({ description: "the API token; shown only in this answer, stored hashed" });

export const createdUserSchema = userSchema.extend({ token }).meta({ id: "CreatedUser" });

export const createdTokenSchema = z
  .object({ id: z.string(), token, createdAt: timestamp })
  .meta({ id: "CreatedToken" });

export const tokenSummarySchema = z
  .object({ id: z.string(), createdAt: timestamp, lastUsedAt: nullableTimestamp })
  .meta({ id: "TokenSummary" });

/** presentGrant: a repository grant names its repository only, a namespace grant its namespace only. */
export const grantSchema = z
  .object({
    id: z.string(),
    repository: z.string().nullable(),
    namespace: z.string().nullable(),
    role: createGrantBody.shape.role,
    createdAt: timestamp,
  })
  .meta({ id: "Grant" });

/** presentMe. */
export const meSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    admin: z.boolean(),
    repositories: z.array(z.string()).meta({ description: "repositories the caller administers" }),
    namespaces: z.array(z.string()).meta({ description: "namespaces the caller owns" }),
  })
  .meta({ id: "Me" });

export const userListSchema = countedPageOf(userSchema).meta({ id: "UserList" });
export const tokenListSchema = countedPageOf(tokenSummarySchema).meta({ id: "TokenList" });
export const grantListSchema = countedPageOf(grantSchema).meta({ id: "GrantList" });
