export interface Room {
  /** Asks `tryNow` until it says yes, again each time something ends, for up to `ms`; its last answer. */
  wait(ms: number, tryNow: () => boolean): Promise<boolean>;
  /** Says that something ended: whoever waits looks again. */
  freed(): void;
}

/**
 * Waiting for room among a bounded number of things in flight, without polling: the caller's test
 * is asked again whenever one ends (`freed`), and the wait gives up after its time.
 */
export function waitForRoom(): Room {
  let ended: { promise: Promise<void>; resolve: () => void } | null = null;
  const oneEnds = (ms: number) => {
    if (!ended) {
      let resolve = () => {};
      ended = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    return Promise.race([ended.promise, timeout]).finally(() => clearTimeout(timer));
  };
  return {
    async wait(ms, tryNow) {
      const until = performance.now() + ms;
      while (!tryNow()) {
        const left = until - performance.now();
        if (left <= 0) return false;
        await oneEnds(left);
      }
      return true;
    },
    freed() {
      ended?.resolve();
      ended = null;
    },
  };
}
