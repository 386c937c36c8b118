/**
 * Which attempts a worker lets start, so that slow and failing receivers, however many, hold a
 * bounded part of it (issue 29, docs/decisions/0015). Every attempt takes a ticket first:
 *
 * - per webhook, at most `perWebhook` in flight (HOOKYARD_WEBHOOK_CONCURRENCY);
 * - by lane: a webhook is `fast` while its attempts answer within `fastMs`, `slow` once they take
 *   longer (one in flight that long is enough), or as soon as one times out or cannot connect (no
 *   answer at all), and `unknown` until its first attempt ends. Attempts are counted in the lane
 *   their webhook is in now, so the first attempt to a receiver that never answers moves to the
 *   slow lane while it hangs, and leaves the unknown lane to the next new webhook. The slow lane
 *   takes a new attempt while it holds fewer than `slowCap`; the unknown lane while the two lanes
 *   together hold fewer than `unknownCap` (the larger: a worker started afresh knows no webhook,
 *   and a fan-out to 10,000 of them must not crawl): whatever else waits, the fast webhooks keep
 *   the rest of the worker. (A fast webhook whose receiver stops answering may have
 *   up to its share in flight before they show as slow, once, until they time out.) One fast
 *   answer moves a webhook back to the fast lane at once.
 *
 * A refused attempt is deferred, not held: `deferMs` says when to try it again. For a slow webhook
 * that is spread out behind the ones already deferred (a cursor per webhook), so that 50,000
 * deliveries of dead receivers come back a few at a time instead of cycling through the queue; for
 * a receiver that answers, slowly, no further out than twice how long it has been slow (so one slow
 * for a moment has them back soon after); a webhook whose answers have been fast and that is slow only by one
 * attempt in flight is deferred about as long as that attempt has taken.
 *
 * Pure and synchronous: times are performance.now()-style milliseconds passed in.
 */
export type Lane = "fast" | "slow" | "unknown";

export interface Ticket {
  readonly webhookId: string;
  readonly lane: Lane;
  readonly takenAt: number;
}

/** How an attempt ended, as far as its webhook's lane is concerned. */
export interface AttemptTiming {
  /** False when no answer came back: a timeout, a refused or reset connection. */
  answered: boolean;
}

export interface AdmissionOptions {
  /** Attempts in flight per webhook (HOOKYARD_WEBHOOK_CONCURRENCY). */
  perWebhook: number;
  /** Attempts in flight to slow webhooks, all of them together. */
  slowCap: number;
  /** Attempts in flight to webhooks not heard from yet and slow ones, all together. */
  unknownCap: number;
  /** The longest an attempt can take (HOOKYARD_DELIVERY_TIMEOUT). */
  longestMs: number;
  /** An answer faster than this keeps (or puts) a webhook in the fast lane. */
  fastMs?: number;
  /** The latest a deferred attempt is put off to. */
  maxDeferMs?: number;
  /** Most webhooks remembered; the one heard from least recently is forgotten past it. */
  remembered?: number;
}

/** An answer within this is fast (the first attempts fan-out makes wait for it: decision 0012). */
export const FAST_MS = 250;
/** The shortest a refused attempt waits: a busy healthy webhook's jobs must not spin through Redis. */
export const DEFER_MIN_MS = 25;
/** The longest: a dead receiver's deliveries come back this often at most, each, while they wait
 * their turn (within the retry schedule's scale: its later delays are hours). */
export const DEFER_MAX_MS = 3_600_000;
/** Attempts in flight to a webhook not heard from yet: its first answer says how it answers. */
export const UNKNOWN_IN_FLIGHT = 1;
/** Of HOOKYARD_WORKER_CONCURRENCY, the part slow webhooks may hold together, and the part slow and
 * unknown ones may hold together: the fast ones always keep the other half. */
export const SLOW_SHARE = 0.2;
export const UNKNOWN_SHARE = 0.5;

/** The lane caps for a worker of `concurrency`: room for one of each at least, so nothing waits for ever. */
export function laneCaps(concurrency: number): { slowCap: number; unknownCap: number } {
  const slowCap = Math.max(1, Math.floor(concurrency * SLOW_SHARE));
  return { slowCap, unknownCap: Math.max(slowCap + 1, Math.floor(concurrency * UNKNOWN_SHARE)) };
}

interface WebhookState {
  /** When each attempt in flight started, oldest first. */
  starts: number[];
  /** Exponentially weighted mean of its attempts' durations; undefined before the first ends. */
  typicalMs?: number;
  /** Its last attempt got no answer; it stays slow until one answers fast. */
  unanswered: boolean;
  /** Until when its deferred attempts are already spread out. */
  deferredUntil: number;
  /** Since when its deferrals are spread (it has been slow): how far out they may go grows with it. */
  slowSince?: number;
}

export class Admission {
  private readonly webhooks = new Map<string, WebhookState>();
  /** Webhooks with attempts in flight: what the lanes' counts are made of. */
  private readonly busy = new Set<string>();
  /** Slow webhooks with deferred attempts, and until when: they share the slow lane. */
  private readonly backlogged = new Map<string, number>();
  private readonly fastMs: number;
  private readonly maxDeferMs: number;
  private readonly remembered: number;

  constructor(private readonly options: AdmissionOptions) {
    this.fastMs = options.fastMs ?? FAST_MS;
    this.maxDeferMs = options.maxDeferMs ?? DEFER_MAX_MS;
    this.remembered = options.remembered ?? 10_000;
  }

  /** The lane a webhook's next attempt would take. */
  lane(webhookId: string, now: number): Lane {
    const state = this.webhooks.get(webhookId);
    if (!state || (state.typicalMs === undefined && !state.unanswered)) {
      // One in flight for longer than an answer takes says enough even before it ends.
      const oldest = state?.starts[0];
      return oldest !== undefined && now - oldest >= this.fastMs ? "slow" : "unknown";
    }
    if (state.unanswered || (state.typicalMs ?? 0) >= this.fastMs) return "slow";
    const oldest = state.starts[0];
    return oldest !== undefined && now - oldest >= this.fastMs ? "slow" : "fast";
  }

  /** A ticket for one attempt, or null when the webhook's share or its lane is full. */
  take(webhookId: string, now: number): Ticket | null {
    const lane = this.lane(webhookId, now);
    const state = this.stateOf(webhookId);
    if (state.starts.length >= this.options.perWebhook) return null;
    if (lane === "slow" && this.counts(now).slow >= this.options.slowCap) return null;
    if (lane === "unknown") {
      if (state.starts.length >= UNKNOWN_IN_FLIGHT) return null;
      const { slow, unknown } = this.counts(now);
      if (slow + unknown >= this.options.unknownCap) return null;
    }
    state.starts.push(now);
    this.busy.add(webhookId);
    return { webhookId, lane, takenAt: now };
  }

  /**
   * Gives a ticket back when its attempt ended, learning from how long it took and how; `null` when
   * nothing was sent (a delivery found done, a store fault), which says nothing of the receiver.
   */
  release(ticket: Ticket, timing: AttemptTiming | null, now: number): void {
    const state = this.stateOf(ticket.webhookId);
    const index = state.starts.indexOf(ticket.takenAt);
    if (index >= 0) state.starts.splice(index, 1);
    if (state.starts.length === 0) this.busy.delete(ticket.webhookId);
    if (timing === null) return;
    const heldMs = now - ticket.takenAt;
    if (!timing.answered) {
      state.unanswered = true;
      state.typicalMs = Math.max(state.typicalMs ?? 0, heldMs);
    } else if (heldMs < this.fastMs) {
      // Back to the fast lane at once: a receiver that recovered is not kept waiting on its past.
      state.unanswered = false;
      state.typicalMs = heldMs;
      state.deferredUntil = 0;
      state.slowSince = undefined;
      this.backlogged.delete(ticket.webhookId);
    } else {
      state.unanswered = false;
      state.typicalMs = state.typicalMs === undefined ? heldMs : state.typicalMs * 0.8 + heldMs * 0.2;
    }
    this.touch(ticket.webhookId, state);
  }

  /**
   * How long an attempt refused a ticket (or not tried, a slow webhook's delivery fan-out queues)
   * waits before it is tried again. A fast or unknown webhook's: about as long as its attempts take
   * (at least DEFER_MIN_MS), when a slot of its share likely frees. A slow webhook's: after every
   * other one deferred before it, each spaced by what its attempts take over its part of the slow
   * lane (shared by every slow webhook with deferred attempts), at most `maxDeferMs` away: so each
   * comes back about when its turn is, instead of cycling through the queue. Times 1 to 1.5 at random, so that what was deferred
   * together comes back spread out.
   */
  deferMs(webhookId: string, now: number, random: () => number = Math.random): number {
    const lane = this.lane(webhookId, now);
    const state = this.stateOf(webhookId);
    const oldest = state.starts[0];
    const typical = Math.max(state.typicalMs ?? 0, oldest === undefined ? 0 : now - oldest, DEFER_MIN_MS);
    const jitter = 1 + random() / 2;
    // Slow only by an attempt in flight, after fast answers: it likely answers soon (a loaded
    // machine, a pause), so its deliveries come back when that attempt has, not behind a backlog
    // spread for a dead receiver. If it hangs, its timeout makes the webhook slow for good.
    const fastSoFar = !state.unanswered && state.typicalMs !== undefined && state.typicalMs < this.fastMs;
    if (lane !== "slow" || fastSoFar) return Math.round(Math.min(typical, this.options.longestMs) * jitter);
    // Its part of the slow lane: the lane shared by every slow webhook with deliveries deferred.
    for (const [id, until] of this.backlogged) if (until <= now) this.backlogged.delete(id);
    const sharing = Math.max(1, this.backlogged.size + (this.backlogged.has(webhookId) ? 0 : 1));
    const slots = Math.min(this.options.perWebhook, this.options.slowCap / sharing);
    const from = Math.max(now, state.deferredUntil);
    // A receiver that answers, slowly: as far out as twice how long it has been slow (at least one
    // timeout), so that one slow for a moment (a loaded machine) gets its deliveries back soon after
    // it recovers. One that has not answered (dead, or its first attempt hangs): up to maxDeferMs
    // at once, few passes through the queue while it stays dead.
    state.slowSince ??= now;
    const answering = !state.unanswered && state.typicalMs !== undefined;
    const horizon = answering
      ? Math.min(this.maxDeferMs, Math.max(this.options.longestMs, 2 * (now - state.slowSince)))
      : this.maxDeferMs;
    state.deferredUntil = Math.min(from + Math.min(typical, this.options.longestMs) / slots, now + horizon);
    this.backlogged.set(webhookId, state.deferredUntil);
    return Math.round((state.deferredUntil - now) * jitter);
  }

  /** Attempts in flight by the lane their webhook is in at `now`. */
  counts(now: number): Record<Lane, number> {
    const counts: Record<Lane, number> = { fast: 0, slow: 0, unknown: 0 };
    for (const webhookId of this.busy) {
      counts[this.lane(webhookId, now)] += this.webhooks.get(webhookId)?.starts.length ?? 0;
    }
    return counts;
  }

  inFlightOf(webhookId: string): number {
    return this.webhooks.get(webhookId)?.starts.length ?? 0;
  }

  private stateOf(webhookId: string): WebhookState {
    let state = this.webhooks.get(webhookId);
    if (!state) {
      state = { starts: [], unanswered: false, deferredUntil: 0 };
      this.touch(webhookId, state);
    }
    return state;
  }

  /** Re-inserted, so that the Map's order is the recency; the least recent idle one goes past the bound. */
  private touch(webhookId: string, state: WebhookState): void {
    this.webhooks.delete(webhookId);
    this.webhooks.set(webhookId, state);
    if (this.webhooks.size <= this.remembered) return;
    for (const [id, candidate] of this.webhooks) {
      if (candidate.starts.length === 0) {
        this.webhooks.delete(id);
        return;
      }
    }
  }
}
