import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./free-port.js";
import { waitFor } from "./wait-for.js";

export interface RedisServer {
  url: string;
  /** Kills the server as a crash would (SIGKILL); its AOF keeps every acknowledged write. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** e.g. "32mb": Redis then refuses writes past it (or evicts, by `policy`). */
  maxmemory?: string;
  /** maxmemory-policy; noeviction unless said. */
  policy?: string;
  /** Keep an append-only file with an fsync per write (the default), so a crash loses nothing. */
  persist?: boolean;
}

/** A Redis of the test's own, persisting with an fsync per write, so the test may crash it. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "hookyard-redis-"));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const start = async () => {
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        ...(options.persist === false ? ["--appendonly", "no"] : ["--appendonly", "yes", "--appendfsync", "always"]),
        "--save",
        "",
        "--maxmemory-policy",
        options.policy ?? "noeviction",
        ...(options.maxmemory ? ["--maxmemory", options.maxmemory] : []),
      ],
      { stdio: "ignore" },
    );
    await waitFor(
      async () => {
        const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        // Refused connections are expected until the server is up; connect() reports them.
        probe.on("error", () => {});
        try {
          await probe.connect();
          return (await probe.ping()) === "PONG";
        } finally {
          probe.disconnect();
        }
      },
      { timeoutMs: 10_000, what: `redis-server on ${port}` },
    );
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once("exit", r));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url,
    kill,
    restart: start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
