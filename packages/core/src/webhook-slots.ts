/**
 * A worker's per-webhook share of its concurrency (HOOKYARD_WEBHOOK_CONCURRENCY). A delivery runs
 * only if its webhook has fewer than `perWebhook` in flight in this process; otherwise its job is put
 * back, without spending an attempt, for about as long as that webhook's attempts have lately taken
 * (when one of its slots is likely to free). A receiver that never answers so holds `perWebhook` of
 * the worker's slots, each for the delivery timeout, and every other webhook keeps the rest.
 */
export class WebhookSlots {
  private readonly inFlight = new Map<string, number>();
  /** Exponentially weighted mean of each webhook's recent attempt durations, in ms. */
  private readonly typicalMs = new Map<string, number>();

  constructor(
    private readonly perWebhook: number,
    /** The longest an attempt can take (HOOKYARD_DELIVERY_TIMEOUT): no job is held back longer. */
    private readonly longestMs: number,
    /** Most webhooks whose durations are remembered; the oldest is forgotten past it. */
    private readonly remembered = 10_000,
  ) {}

  /** Takes a slot of the webhook's share, or says there is none free. */
  take(webhookId: string): boolean {
    const count = this.inFlight.get(webhookId) ?? 0;
    if (count >= this.perWebhook) return false;
    this.inFlight.set(webhookId, count + 1);
    return true;
  }

  /** Gives the slot back, with how long the attempt held it. */
  release(webhookId: string, heldMs: number): void {
    const count = (this.inFlight.get(webhookId) ?? 1) - 1;
    if (count <= 0) this.inFlight.delete(webhookId);
    else this.inFlight.set(webhookId, count);
    const before = this.typicalMs.get(webhookId);
    this.typicalMs.delete(webhookId); // re-inserted below: the Map's order is the recency
    this.typicalMs.set(webhookId, before === undefined ? heldMs : before * 0.8 + heldMs * 0.2);
    if (this.typicalMs.size > this.remembered) {
      this.typicalMs.delete(this.typicalMs.keys().next().value as string);
    }
  }

  inFlightOf(webhookId: string): number {
    return this.inFlight.get(webhookId) ?? 0;
  }

  /**
   * How long a job refused a slot waits before it is taken again: the webhook's typical attempt
   * time, between HOLD_BACK_MIN_MS and the delivery timeout, times 1 to 2 at random so that the
   * jobs held back together come back spread out. The floor keeps a busy but healthy webhook's
   * jobs from cycling through Redis faster than its slots free.
   */
  holdBackMs(webhookId: string, random: () => number = Math.random): number {
    const typical = this.typicalMs.get(webhookId) ?? HOLD_BACK_MIN_MS;
    const base = Math.min(Math.max(typical, HOLD_BACK_MIN_MS), this.longestMs);
    return Math.round(base * (1 + random()));
  }
}

export const HOLD_BACK_MIN_MS = 25;
