/**
 * Keyset paging, for every list the API shows: a page is read in the list's order after the key of
 * the previous page's last row, so rows added or removed meanwhile never make a row skipped or
 * shown twice (an offset would). One more row than the page is read, to know whether any follow
 * without counting them.
 */

export interface PageQuery {
  /** Rows per page. */
  limit: number;
  /** The nextCursor of the page before; none for the first page. */
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** The key of the page's last row, to ask for the next page with; null on the last page. */
  nextCursor: string | null;
}

/** Reads one page: `read` gets how many rows to take (limit + 1), in the list's order after the cursor. */
export async function readPage<R>(
  query: PageQuery,
  read: (take: number) => Promise<R[]>,
  keyOf: (row: R) => string,
): Promise<Page<R>> {
  const rows = await read(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last !== undefined ? keyOf(last) : null };
}

/** What a Prisma findMany of a page ordered by id takes: spread it into the call, and `idAfter` into `where.id`. */
export interface IdWindow {
  /** The rows after the cursor in the list's order; undefined (no condition) on the first page. */
  idAfter: { lt: string } | { gt: string } | undefined;
  orderBy: { id: "asc" | "desc" };
  take: number;
}

/**
 * One page of rows ordered by their id (TypeIDs sort by creation time): "desc" for newest first,
 * "asc" for oldest first.
 */
export function readPageById<R extends { id: string }>(
  query: PageQuery,
  order: "asc" | "desc",
  read: (window: IdWindow) => Promise<R[]>,
): Promise<Page<R>> {
  const idAfter =
    query.cursor === undefined ? undefined : order === "desc" ? { lt: query.cursor } : { gt: query.cursor };
  return readPage(
    query,
    (take) => read({ idAfter, orderBy: { id: order }, take }),
    (row) => row.id,
  );
}

/** The same page with each item presented (a total, when counted, kept). */
export function mapPage<R, T, P extends Page<R>>(page: P, present: (row: R) => T): Omit<P, "items"> & { items: T[] } {
  return { ...page, items: page.items.map(present) };
}

/** Counting a list stops here: a count reads every row it counts (docs/performance.md, "Searching deliveries"). */
export const LIST_COUNT_CAP = 10_000;

export interface CountedPage<T> extends Page<T> {
  /** The rows of the whole list (not only this page), counted up to LIST_COUNT_CAP. */
  total: number;
  /** More rows than `total` says: the count stopped at the cap. */
  totalCapped: boolean;
}

/**
 * A page and how long its list is, read side by side: `count(take)` counts at most `take` rows
 * (a LIMITed subquery, or Prisma's count with `take`), here one more than the cap, to tell a
 * list of exactly the cap from a longer one.
 */
export async function countedPage<T>(
  page: Promise<Page<T>>,
  count: (take: number) => Promise<number>,
): Promise<CountedPage<T>> {
  const [found, n] = await Promise.all([page, count(LIST_COUNT_CAP + 1)]);
  return { ...found, total: Math.min(n, LIST_COUNT_CAP), totalCapped: n > LIST_COUNT_CAP };
}

/**
 * Every row of a list, read page by page to its end: for the answers that must stay whole arrays
 * (DTR's /api/v0 lists), without one statement that reads them all at once.
 */
export async function readAllPages<T>(readOne: (query: PageQuery) => Promise<Page<T>>, pageSize = 500): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await readOne({ limit: pageSize, cursor });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return all;
}
