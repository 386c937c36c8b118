import {
  type EventType,
  expandEventPatterns,
  formatTypesProblem,
  isValidRepositoryName,
  MAX_CHAIN_STEPS,
  maySubscribe,
  type Scope,
  splitRepositoryName,
} from "@hookyard/core";
import {
  type AuthenticatedUser,
  type ChainChanges,
  type ChainRefusal,
  type ChainWithLinks,
  type Db,
  deleteChain,
  findChain,
  insertChain,
  updateChain,
} from "@hookyard/db";
import { z } from "zod";
import { ApiError, badRequest, forbidden, notFound } from "../http/api-error.js";
import { parseInput } from "../http/validate.js";
import { fields, mayManage } from "./webhooks.js";

const chainFields = {
  name: fields.name,
  events: fields.events,
  webhooks: z
    .array(z.string().meta({ description: "a webhook's id", example: "wh_01k9xq2c3r4s5t6v7w8x9y0z1a" }))
    .min(1)
    .max(MAX_CHAIN_STEPS),
};

export const createChainBody = z.strictObject({ ...chainFields, repository: z.string() });

/** PATCH: any of the fields. The repository is named only to refuse it. */
export const updateChainBody = z.strictObject({
  name: chainFields.name.optional(),
  events: chainFields.events.optional(),
  webhooks: chainFields.webhooks.optional(),
  repository: z.unknown().optional(),
});

const conflict = (message: string) => new ApiError(409, "conflict", message);

type RepositoryScope = Extract<Scope, { kind: "repository" }>;

function repositoryScope(repository: string): RepositoryScope {
  if (!isValidRepositoryName(repository)) {
    throw badRequest(`repository: "${repository}" is not a repository name such as "namespace/name"`);
  }
  return { kind: "repository", namespace: splitRepositoryName(repository).namespace, repository };
}

/**
 * The types a chain's runs start on. Expanded as a webhook of its repository expands them (so a type
 * of a namespace or of the whole registry is refused), and only what its dockerhub webhooks carry.
 */
function chainTypes(patterns: readonly string[], scope: RepositoryScope): EventType[] {
  const expanded = expandEventPatterns(patterns, scope);
  if (!expanded.ok) throw badRequest(expanded.message);
  const problem = formatTypesProblem("dockerhub", expanded.types);
  if (problem) throw badRequest(`events: a chain's webhooks use the dockerhub format, and ${problem}`);
  return expanded.types;
}

/**
 * The webhook ids, in order, once each is checked: there once, live, one the user may manage (any
 * other is "no such webhook", as it would be to GET), of the chain's repository, and dockerhub.
 * Whether another chain holds one is the store's to say, in the transaction that writes the links.
 */
async function chainWebhooks(
  db: Db,
  user: AuthenticatedUser,
  ids: readonly string[],
  repository: string,
): Promise<string[]> {
  const rows = await db.webhook.findMany({ where: { id: { in: [...ids] }, deletedAt: null } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  ids.forEach((id, i) => {
    const field = `webhooks[${i}]`;
    const first = ids.indexOf(id);
    if (first < i) throw badRequest(`${field}: ${id} appears twice (also webhooks[${first}])`);
    const webhook = byId.get(id);
    if (!webhook || !mayManage(user, webhook)) throw badRequest(`${field}: no such webhook`);
    if (webhook.repository !== repository) {
      const scope = webhook.repository ?? (webhook.namespace ? `namespace ${webhook.namespace}` : "every repository");
      throw badRequest(
        `${field}: ${id} is a webhook of ${scope}; a chain's webhooks must be of its repository ${repository}`,
      );
    }
    if (webhook.format !== "dockerhub") {
      throw badRequest(
        `${field}: a chain's webhooks must use the dockerhub format, whose body carries the callback_url`,
      );
    }
  });
  return [...ids];
}

/** The chain as written, or the answer to what the store refused. */
function written(result: ChainWithLinks | ChainRefusal, ids: readonly string[]): ChainWithLinks {
  if (!("refused" in result)) return result;
  const field = `webhooks[${ids.indexOf(result.webhookId)}]`;
  if (result.refused === "webhook_gone") throw badRequest(`${field}: no such webhook`);
  throw conflict(
    `${field}: ${result.webhookId} is in chain ${result.chainId} already; a webhook may be in one chain only`,
  );
}

export async function createChain(db: Db, user: AuthenticatedUser, body: unknown): Promise<ChainWithLinks> {
  const input = parseInput(createChainBody, body);
  const scope = repositoryScope(input.repository);
  if (!maySubscribe(user, scope)) throw forbidden(`you may not manage the chains of ${scope.repository}`);
  const events = chainTypes(input.events, scope);
  const webhookIds = await chainWebhooks(db, user, input.webhooks, scope.repository);
  const result = await insertChain(db, {
    name: input.name,
    repository: scope.repository,
    events,
    webhookIds,
    authorId: user.userId,
  });
  return written(result, webhookIds);
}

/**
 * PATCH: the fields given, checked as on create against the chain's repository, which cannot change
 * (a chain of another repository has other people allowed to it). Runs already started keep the
 * steps they started with.
 */
export async function changeChain(
  db: Db,
  user: AuthenticatedUser,
  chain: ChainWithLinks,
  body: unknown,
): Promise<ChainWithLinks> {
  const input = parseInput(updateChainBody, body);
  if (input.repository !== undefined) {
    throw badRequest("repository: cannot be changed; create a chain for the other repository");
  }
  const scope = repositoryScope(chain.repository);
  const changes: ChainChanges = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.events !== undefined) changes.events = chainTypes(input.events, scope);
  if (input.webhooks !== undefined) {
    changes.webhookIds = await chainWebhooks(db, user, input.webhooks, chain.repository);
  }
  const result = await updateChain(db, chain.id, changes);
  if (result === null) throw notFound("chain");
  return written(result, changes.webhookIds ?? []);
}

export async function removeChain(db: Db, chain: ChainWithLinks): Promise<void> {
  if (!(await deleteChain(db, chain.id))) throw notFound("chain");
}

/** Whether the user may see and manage a chain: as for a webhook of its repository. */
export function mayManageChain(user: AuthenticatedUser, chain: Pick<ChainWithLinks, "repository">): boolean {
  return mayManage(user, { repository: chain.repository, namespace: splitRepositoryName(chain.repository).namespace });
}

/** The chain at `id` if this user may manage it; otherwise not found, as for webhooks. */
export async function manageableChain(db: Db, user: AuthenticatedUser, id: string): Promise<ChainWithLinks> {
  const chain = await findChain(db, id);
  if (!chain || !mayManageChain(user, chain)) throw notFound("chain");
  return chain;
}

/** The API's view of a chain: its webhooks in run order, numbered 1..n whatever gaps deletions left. */
export function presentChain(chain: ChainWithLinks) {
  const live = chain.links.filter((link) => link.webhook.deletedAt === null);
  return {
    id: chain.id,
    name: chain.name,
    repository: chain.repository,
    events: chain.events,
    webhooks: live.map((link) => link.webhook.id),
    steps: live.map((link, i) => ({
      position: i + 1,
      webhookId: link.webhook.id,
      name: link.webhook.name,
      enabled: link.webhook.enabled,
      disabledReason: link.webhook.disabledReason,
    })),
    authorId: chain.authorId,
    createdAt: chain.createdAt,
    updatedAt: chain.updatedAt,
  };
}
