/**
 * A worker's per-webhook share of its concurrency (HOOKYARD_WEBHOOK_CONCURRENCY). A delivery runs
 * only if its webhook has fewer than `perWebhook` in flight in this process; otherwise its job is put
 * back, without spending an attempt, for about as long as that webhook's attempts have lately taken
 * (when one of its slots is likely to free). A receiver that never answers so holds `perWebhook` of
 * the worker's slots, each for the delivery timeout, and every other webhook keeps the rest.
 */
export class WebhookSlots {
  /** When each attempt a webhook has in flight started (performance.now()), oldest first. */
  private readonly inFlight = new Map<string, number[]>();
  /** Exponentially weighted mean of each webhook's recent attempt durations, in ms. */
  private readonly typicalMs = new Map<string, number>();

  constructor(
    private readonly perWebhook: number,
    /** The longest an attempt can take (HOOKYARD_DELIVERY_TIMEOUT): no job is held back longer. */
    private readonly longestMs: number,
    /** Most webhooks whose durations are remembered; the oldest is forgotten past it. */
    private readonly remembered = 10_000,
  ) {}

  /** Takes a slot of the webhook's share at `now`, or says there is none free. */
  take(webhookId: string, now: number = performance.now()): boolean {
    const starts = this.inFlight.get(webhookId) ?? [];
    if (starts.length >= this.perWebhook) return false;
    starts.push(now);
    this.inFlight.set(webhookId, starts);
    return true;
  }

  /** Gives back the slot taken at `takenAt`, at `now`. */
  release(webhookId: string, takenAt: number, now: number = performance.now()): void {
    const starts = this.inFlight.get(webhookId) ?? [];
    const index = starts.indexOf(takenAt);
    if (index >= 0) starts.splice(index, 1);
    if (starts.length === 0) this.inFlight.delete(webhookId);
    const heldMs = now - takenAt;
    const before = this.typicalMs.get(webhookId);
    this.typicalMs.delete(webhookId); // re-inserted below: the Map's order is the recency
    this.typicalMs.set(webhookId, before === undefined ? heldMs : before * 0.8 + heldMs * 0.2);
    if (this.typicalMs.size > this.remembered) {
      this.typicalMs.delete(this.typicalMs.keys().next().value as string);
    }
  }

  /**
   * Whether the webhook answers within `fastMs`: its attempts lately took less, and none it has in
   * flight has waited that long. Of a webhook not heard from yet, only UNKNOWN_IN_FLIGHT attempts
   * at a time are taken for fast, until the first answer says how it answers.
   */
  answersFast(webhookId: string, fastMs: number, now: number = performance.now()): boolean {
    const starts = this.inFlight.get(webhookId) ?? [];
    const typical = this.typicalMs.get(webhookId);
    if (typical === undefined) return starts.length < UNKNOWN_IN_FLIGHT;
    const oldest = starts[0];
    return typical < fastMs && (oldest === undefined || now - oldest < fastMs);
  }

  inFlightOf(webhookId: string): number {
    return this.inFlight.get(webhookId)?.length ?? 0;
  }

  /**
   * How long a job refused a slot waits before it is taken again: the webhook's typical attempt
   * time, or as long as its oldest attempt in flight has been waiting if that is longer (a receiver
   * that has just stopped answering has no typical time yet), between HOLD_BACK_MIN_MS and the
   * delivery timeout, times 1 to 2 at random so that the jobs held back together come back spread
   * out. The floor keeps a busy but healthy webhook's jobs from cycling through Redis faster than
   * its slots free.
   */
  holdBackMs(webhookId: string, random: () => number = Math.random, now: number = performance.now()): number {
    const oldest = this.inFlight.get(webhookId)?.[0];
    const typical = Math.max(
      this.typicalMs.get(webhookId) ?? HOLD_BACK_MIN_MS,
      oldest === undefined ? 0 : now - oldest,
    );
    const base = Math.min(Math.max(typical, HOLD_BACK_MIN_MS), this.longestMs);
    return Math.round(base * (1 + random()));
  }
}

export const HOLD_BACK_MIN_MS = 25;
/** Attempts in flight to a webhook with no answer yet that still count as fast (answersFast). */
export const UNKNOWN_IN_FLIGHT = 2;
