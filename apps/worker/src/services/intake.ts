/** What BullMQ's Worker offers to stop and restart taking jobs. */
export interface Pausable {
  pause(doNotWaitActive?: boolean): Promise<void>;
  resume(): void;
}

/** Why a worker takes no new jobs for now. */
export type HoldReason = "postgres unavailable" | "redis near its memory limit";

export interface Intake {
  hold(reason: HoldReason): void;
  release(reason: HoldReason): void;
}

/**
 * The job intake of one worker, held while any reason stands: the store gate and the memory
 * throttle each hold it for their own reason, and neither resumes a worker the other still holds.
 * Jobs already running finish either way.
 */
export function intakeOf(worker: Pausable): Intake {
  const holds = new Set<HoldReason>();
  return {
    hold(reason) {
      if (holds.size === 0) void worker.pause(true);
      holds.add(reason);
    },
    release(reason) {
      if (holds.delete(reason) && holds.size === 0) worker.resume();
    },
  };
}
