import { randomBytes } from "node:crypto";
import { createRedis, type RedisConnection } from "@hookyard/queues";
import { waitFor } from "@hookyard/testkit";
import { Queue, Worker } from "bullmq";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { intakeOf } from "./intake.js";

/* A real BullMQ worker on the machine's Redis, under a prefix of this test's own. */
let connection: RedisConnection;
let queue: Queue;
let worker: Worker;
const processed: string[] = [];

beforeEach(async () => {
  const prefix = `hy-intake-${randomBytes(4).toString("hex")}`;
  connection = createRedis("redis://127.0.0.1:6379", "worker");
  queue = new Queue("jobs", { connection, prefix });
  processed.length = 0;
  worker = new Worker(
    "jobs",
    async (job) => {
      processed.push(job.name);
    },
    { connection, prefix },
  );
  await worker.waitUntilReady();
});

afterEach(async () => {
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
});

describe("intakeOf", () => {
  it("takes no new jobs while held (but the one a fetch in flight brings), and takes them once released", async () => {
    const intake = intakeOf(worker);
    intake.hold("postgres unavailable");
    await waitFor(() => worker.isPaused());
    await queue.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: `held-back-${i}`, data: {} })));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // BullMQ's pause does not call back a blocking fetch already sent: it may bring one job.
    expect(processed.length).toBeLessThanOrEqual(1);
    intake.release("postgres unavailable");
    await waitFor(() => processed.length === 5);
  });

  it("stays held while any reason stands: one release does not resume what the other still holds", async () => {
    const intake = intakeOf(worker);
    intake.hold("postgres unavailable");
    intake.hold("redis near its memory limit");
    await waitFor(() => worker.isPaused());
    intake.release("postgres unavailable");
    expect(worker.isPaused()).toBe(true);
    // Released twice, or for a reason it was not held for: still held for Redis.
    intake.release("postgres unavailable");
    expect(worker.isPaused()).toBe(true);
    intake.release("redis near its memory limit");
    expect(worker.isPaused()).toBe(false);
  });

  it("is not resumed by a release for a reason nobody held", async () => {
    const intake = intakeOf(worker);
    intake.hold("redis near its memory limit");
    await waitFor(() => worker.isPaused());
    intake.release("postgres unavailable");
    expect(worker.isPaused()).toBe(true);
  });
});
