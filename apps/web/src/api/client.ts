/**
 * The one way the UI talks to Hookyard: same-origin fetches of /api/v1, authenticated by the
 * HttpOnly session cookie. The CSRF token lives only in memory, so a reload asks the session again.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The field a 400 names: its message starts with it (`url: must be ...`, `webhooks[1]: ...`). */
  get field(): string | null {
    if (this.status !== 400) return null;
    const match = /^([A-Za-z_][\w.[\]]*):\s/.exec(this.message);
    return match?.[1] ?? null;
  }
}

let csrfToken: string | null = null;
let sessionLost: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called once when any call answers 401: the session expired or was ended elsewhere. */
export function onSessionLost(handler: (() => void) | null): void {
  sessionLost = handler;
}

const SAFE = new Set(["GET", "HEAD"]);

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { quietUnauthorized?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  // Every write says JSON, a body or not (a sign-out, a delete): Hookyard takes a write made with
  // the session cookie only so, as no other site's page can send one unasked.
  if (body !== undefined || !SAFE.has(method)) headers["content-type"] = "application/json";
  if (!SAFE.has(method) && csrfToken) headers["x-csrf-token"] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network", `Hookyard could not be reached (${(error as Error).message}). Try again.`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML error page, say: reported below with the status alone.
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | null)?.error;
    const failure = new ApiError(
      res.status,
      error?.code ?? `http_${res.status}`,
      error?.message ?? `Hookyard answered ${res.status} ${res.statusText}`.trim(),
    );
    if (res.status === 401 && !options.quietUnauthorized) sessionLost?.();
    throw failure;
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, body),
  delete: (path: string) => request<void>("DELETE", path),
};

/** Rows per page of every list the UI shows (the API allows 1 to 100). */
export const PAGE_SIZE = 20;

/**
 * Every row of a list, read page by page to its end: for choices that must all be on offer at once
 * (the webhooks a chain may take), never for a list shown to people (those page).
 */
export async function everyPage<List extends { items: unknown[]; nextCursor: string | null }>(
  path: string,
  params: Record<string, string | undefined> = {},
): Promise<List["items"]> {
  const all: List["items"] = [];
  let cursor: string | null = null;
  do {
    const page: List = await api.get<List>(`${path}${query({ ...params, cursor, limit: 100 })}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return all;
}

/** A query string of the given parameters, leaving out those without a value. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
