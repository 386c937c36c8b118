import { generateToken, hashToken } from "@hookyard/core";
import { newId } from "@hookyard/db";
import type { TestHookyard } from "./hookyard.js";

/** A user holding these grants (a repository: its admin; a namespace: its owner), straight into the
 * database; its API token. */
export async function userWithGrants(
  hookyard: TestHookyard,
  grants: Array<{ repository?: string; namespace?: string }>,
): Promise<string> {
  const token = generateToken();
  const id = newId("user");
  await hookyard.db.user.create({
    data: {
      id,
      name: `user-${id}`,
      tokens: { create: { id: newId("token"), tokenHash: hashToken(token) } },
      grants: {
        create: grants.map((g) => ({
          id: newId("grant"),
          repository: g.repository ?? null,
          namespace: g.namespace ?? g.repository?.split("/")[0] ?? null,
          role: g.repository ? ("admin" as const) : ("owner" as const),
        })),
      },
    },
  });
  return token;
}
