/**
 * One request of a delivery as it went out and what came back, as every layer keeps it: the
 * transport returns it, a delivery job carries it while Postgres is away, the store books it.
 */
export interface AttemptAnswer {
  durationMs: number;
  statusCode: number | null;
  /** Why no 2xx came, led by its kind (`timeout: ...`, `HTTP 503`); null for a success. */
  error: string | null;
  /** As sent, secrets redacted. */
  requestHeaders: Record<string, string>;
  /** As sent, secrets redacted (storableRequestBody); null or absent when nothing went out. */
  requestBody?: string | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  succeeded: boolean;
}
