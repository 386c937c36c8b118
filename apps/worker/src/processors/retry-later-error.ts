/** Thrown by the deliveries processor to have BullMQ try the job again after `delayMs`. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
  constructor(readonly delayMs: number) {
    super(`retry in ${delayMs} ms`);
  }
}
