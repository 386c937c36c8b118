import type { Db } from "../client.js";
import { type Page, type PageQuery, readPage } from "../paging.js";

export interface RepositorySummary {
  repository: string;
  namespace: string;
  webhooks: number;
  chains: number;
  lastEventAt: Date | null;
}

/**
 * The repositories a user may administer, by name: every one seen in events or holding webhooks or
 * chains, within the user's reach (all for a global admin, its namespaces' for an owner), and the
 * ones granted to it even before any event. The events' distinct repositories are read with a loose
 * index scan (one probe of the (repository, occurred_at) index per repository), not by reading
 * every event. Paged by name: the cursor is the last name of the page before.
 */
export async function listRepositories(
  db: Db,
  options: {
    admin: boolean;
    repositories: readonly string[];
    namespaces: readonly string[];
    search: string;
  },
  page: PageQuery,
): Promise<Page<RepositorySummary>> {
  const granted = [...options.repositories];
  // Names after the cursor; "" is before every name.
  const after = page.cursor ?? "";
  return readPage(
    page,
    (take) => db.$queryRaw<RepositorySummary[]>`
    WITH RECURSIVE seen AS (
      (SELECT repository FROM events WHERE repository > ${after} ORDER BY repository LIMIT 1)
      UNION ALL
      SELECT (SELECT e.repository FROM events e WHERE e.repository > s.repository ORDER BY e.repository LIMIT 1)
      FROM seen s WHERE s.repository IS NOT NULL),
    candidate AS (
      SELECT repository FROM seen WHERE repository IS NOT NULL
      UNION SELECT repository FROM webhooks WHERE repository IS NOT NULL AND deleted_at IS NULL
      UNION SELECT repository FROM chains
      UNION SELECT unnest(${granted}::text[])),
    visible AS (
      SELECT repository FROM candidate
      WHERE (${options.admin} OR repository = ANY(${granted}::text[])
             OR split_part(repository, '/', 1) = ANY(${[...options.namespaces]}::text[]))
        AND strpos(lower(repository), lower(${options.search})) > 0 AND repository > ${after}
      ORDER BY repository LIMIT ${take})
    SELECT v.repository, split_part(v.repository, '/', 1) AS namespace,
           (SELECT count(*)::int FROM webhooks w WHERE w.repository = v.repository AND w.deleted_at IS NULL) AS webhooks,
           (SELECT count(*)::int FROM chains c WHERE c.repository = v.repository) AS chains,
           (SELECT max(e.occurred_at) FROM events e WHERE e.repository = v.repository) AS "lastEventAt"
    FROM visible v ORDER BY v.repository`,
    (row) => row.repository,
  );
}
