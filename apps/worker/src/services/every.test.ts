import { PassThrough } from "node:stream";
import { createLogger } from "@hookyard/logger";
import { waitFor } from "@hookyard/testkit";
import { describe, expect, it } from "vitest";
import { every } from "./every.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new PassThrough();
  destination.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ service: "test", level: "warn", destination }), lines };
}

describe("every", () => {
  it("runs a round at once with `now`, then every interval", async () => {
    const { logger } = capturedLogger();
    let rounds = 0;
    const repeating = every(
      20,
      async () => {
        rounds++;
      },
      { logger, failed: "round failed", now: true },
    );
    expect(rounds).toBe(1);
    await waitFor(() => rounds >= 3, { intervalMs: 5 });
    await repeating.stop();
  });

  it("never runs two rounds at once: a round longer than the interval is left to finish", async () => {
    const { logger } = capturedLogger();
    let running = 0;
    let most = 0;
    let rounds = 0;
    const repeating = every(
      5,
      async () => {
        running++;
        rounds++;
        most = Math.max(most, running);
        await sleep(30);
        running--;
      },
      { logger, failed: "round failed", now: true },
    );
    await waitFor(() => rounds >= 3, { intervalMs: 5 });
    await repeating.stop();
    expect(most).toBe(1);
  });

  it("logs a round that throws as `failed` says, with the reason, and goes on with the next", async () => {
    const { logger, lines } = capturedLogger();
    let rounds = 0;
    const repeating = every(
      10,
      async () => {
        rounds++;
        if (rounds === 1) throw new Error("Connection terminated unexpectedly");
      },
      { logger, failed: "prune pass did not finish", now: true },
    );
    await waitFor(() => rounds >= 2, { intervalMs: 5 });
    await repeating.stop();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "prune pass did not finish",
        reason: "Connection terminated unexpectedly",
      }),
    );
  });

  it("stops: waits for the round under way, and starts none after", async () => {
    const { logger } = capturedLogger();
    let finished = 0;
    let started = 0;
    const repeating = every(
      10,
      async () => {
        started++;
        await sleep(40);
        finished++;
      },
      { logger, failed: "round failed", now: true },
    );
    await repeating.stop();
    expect(finished).toBe(1);
    await sleep(50);
    expect(started).toBe(1);
  });
});
