/**
 * Postgres fails a statement for one of two reasons, and they call for opposite handling:
 * - "unavailable": the store is away or busy (refused, closed, shutting down, timeout, deadlock,
 *   serialization failure). Nothing is wrong with the work; it waits and is tried again.
 * - "data": the store refused what it was given (a value it cannot hold, a constraint). Trying the
 *   same again fails the same way; in a batch, only the item at fault should fail.
 */
export type StoreErrorKind = "unavailable" | "data";

/** Driver-adapter error kinds (Prisma's pg adapter) that mean the store is away, not the data bad. */
const UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TlsConnectionError",
  "TransactionWriteConflict",
  "DatabaseDoesNotExist",
  "DatabaseAccessDenied",
  "AuthenticationFailed",
]);

/** SQLSTATE classes of a store that is away or busy: connection exception, transaction rollback
 * (serialization, deadlock), insufficient resources, object not in prerequisite state (lock not
 * available), operator intervention (shutdown, cancel), system error, internal error. */
const UNAVAILABLE_SQLSTATE = /^(08|40|53|55|57|58|XX)/;

/** Prisma's own codes for an unreachable store, a timed-out pool, and a write conflict. */
const UNAVAILABLE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2034"]);

/** Network errors node-postgres passes through when the socket fails. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

interface AdapterCause {
  kind?: string;
  code?: string;
  originalCode?: string;
  message?: string;
  originalMessage?: string;
}

function adapterCause(error: unknown): AdapterCause | null {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: AdapterCause } } } | null)?.meta;
  return meta?.driverAdapterError?.cause ?? null;
}

/** The SQLSTATE of a failed statement, through Prisma or straight from node-postgres. */
export function sqlStateOf(error: unknown): string | null {
  const cause = adapterCause(error);
  const code = cause?.originalCode ?? cause?.code ?? (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export function classifyStoreError(error: unknown): StoreErrorKind {
  const cause = adapterCause(error);
  if (cause?.kind && UNAVAILABLE_KINDS.has(cause.kind)) return "unavailable";
  const state = sqlStateOf(error);
  if (state) return UNAVAILABLE_SQLSTATE.test(state) ? "unavailable" : "data";
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (UNAVAILABLE_PRISMA_CODES.has(code) || NETWORK_CODES.has(code))) {
    return "unavailable";
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "PrismaClientInitializationError" || name === "PrismaClientRustPanicError") return "unavailable";
  if (
    /Connection terminated|connection timeout|ECONNREFUSED|ECONNRESET/i.test((error as Error | null)?.message ?? "")
  ) {
    return "unavailable";
  }
  return "data";
}

/** The store's own words for why it refused an item, short enough for a log line or a job's reason. */
export function storeErrorReason(error: unknown): string {
  const cause = adapterCause(error);
  const state = sqlStateOf(error);
  const message = cause?.originalMessage ?? cause?.message ?? (error as Error | null)?.message ?? String(error);
  const firstLine = message.trim().split("\n").at(-1) ?? message;
  return (state ? `${state}: ${firstLine}` : firstLine).slice(0, 500);
}

/** Deadlock and serialization failures: Postgres rolled the statement back and asks for it again. */
const CONFLICT_SQLSTATES = new Set(["40P01", "40001"]);

/**
 * Runs a statement again, as a whole, when Postgres chose it as a deadlock or serialization victim:
 * a few times with a short random pause, so that the two sides do not meet again in step. After
 * that the error stands, and counts as the store being unavailable.
 */
export async function retryConflicts<R>(run: () => Promise<R>, tries = 5): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const state = sqlStateOf(error);
      if (attempt >= tries || !state || !CONFLICT_SQLSTATES.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** An item of a batch that Postgres refused for its own data; its neighbours were written. */
export class UnstorableItemError extends Error {
  override name = "UnstorableItemError";
  constructor(readonly reason: string) {
    super(`Postgres refused this item: ${reason}`);
  }
}

/**
 * Runs a set-based write on a batch so that one bad item cannot fail its neighbours: when the
 * store refuses the batch for its data, the batch is split in halves until the refused items stand
 * alone; every other item is written (the good halves at once) and each refused one gets its own
 * UnstorableItemError. A store that is away fails the whole batch with its error, unchanged, and so
 * does a fault of the code (a TypeError, say: no item's data is to blame, and none is dead-lettered
 * for it). `run`
 * must be all-or-nothing (one statement) or idempotent, since parts of the batch are run again.
 */
/** What JavaScript throws for a mistake in the code, as opposed to what Postgres said (which has a SQLSTATE). */
function isCodeFault(error: unknown): boolean {
  const mistake =
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof ReferenceError ||
    error instanceof SyntaxError;
  return mistake && sqlStateOf(error) === null;
}

export async function isolateFailures<T, R>(
  items: readonly T[],
  run: (items: readonly T[]) => Promise<R[]>,
): Promise<Array<R | UnstorableItemError>> {
  try {
    return await retryConflicts(() => run(items));
  } catch (error) {
    if (classifyStoreError(error) === "unavailable" || isCodeFault(error)) throw error;
    if (items.length <= 1) return items.map(() => new UnstorableItemError(storeErrorReason(error)));
    const middle = Math.ceil(items.length / 2);
    const first = await isolateFailures(items.slice(0, middle), run);
    const second = await isolateFailures(items.slice(middle), run);
    return [...first, ...second];
  }
}
