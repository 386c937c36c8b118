import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import type { RegistryEvent } from "@hookyard/core";
import { createDb } from "@hookyard/db";
import { createLogger } from "@hookyard/logger";
import { createQueues, createRedis } from "@hookyard/queues";
import { describe, expect, it } from "vitest";
import { createEventEnqueuer, QueueUnavailableError } from "./event-enqueuer.js";

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const event: RegistryEvent = {
  type: "TAG_PUSH",
  dedupKey: "distribution:unit:TAG_PUSH",
  source: "distribution",
  namespace: "acme",
  repository: "acme/web",
  tag: "1.0",
  digest: "sha256:0123",
  actor: null,
  occurredAt: "2026-12-06T10:00:00.000Z",
  data: {},
};

/** An enqueuer on a Postgres and a Redis that are both away (a loopback port nothing listens on). */
async function enqueuerWithNothingUp() {
  const port = await closedPort();
  const db = createDb(`postgresql://postgres@127.0.0.1:${port}/none`);
  const redis = createRedis(`redis://127.0.0.1:${port}`, "producer");
  redis.on("error", () => {});
  const queues = createQueues(redis, "hy-unit-enqueuer");
  queues.events.on("error", () => {});
  const enqueuer = createEventEnqueuer(
    db,
    queues,
    { deadlineMs: 400, storeDeadlineMs: 200, storeRetryMs: 1_000, dedupWindowMs: 60_000 },
    createLogger({ service: "test", silent: true }),
  );
  const close = async () => {
    redis.disconnect();
    await db.$disconnect();
  };
  return { enqueuer, queues, close };
}

describe("the event enqueuer's failures", () => {
  it("rejects with QueueUnavailableError (ingest's 503) when neither Postgres nor Redis takes the events", async () => {
    const { enqueuer, close } = await enqueuerWithNothingUp();
    try {
      await expect(enqueuer.enqueue([event])).rejects.toBeInstanceOf(QueueUnavailableError);
    } finally {
      await close();
    }
  });

  it("passes a bug on as it is (a 500, logged), not as the queue being unavailable", async () => {
    const { enqueuer, queues, close } = await enqueuerWithNothingUp();
    // A stand-in for a bug in building or adding the jobs.
    queues.events.addBulk = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'id')");
    };
    try {
      await expect(enqueuer.enqueue([event])).rejects.toBeInstanceOf(TypeError);
    } finally {
      await close();
    }
  });
});
