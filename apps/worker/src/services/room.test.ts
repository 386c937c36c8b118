import { describe, expect, it } from "vitest";
import { waitForRoom } from "./room.js";

describe("waitForRoom", () => {
  it("says yes at once when there is room, without waiting", async () => {
    const room = waitForRoom();
    const started = performance.now();
    expect(await room.wait(1_000, () => true)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("asks again when something ends, and takes the room it frees", async () => {
    const room = waitForRoom();
    let inFlight = 2;
    const asked: number[] = [];
    const waiting = room.wait(5_000, () => {
      asked.push(inFlight);
      return inFlight < 2;
    });
    setTimeout(() => {
      inFlight = 1;
      room.freed();
    }, 20);
    expect(await waiting).toBe(true);
    expect(asked).toEqual([2, 1]);
  });

  it("gives up after its time when nothing ends, saying no", async () => {
    const room = waitForRoom();
    const started = performance.now();
    expect(await room.wait(60, () => false)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
