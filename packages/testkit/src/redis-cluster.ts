import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "./free-port.js";
import { waitFor } from "./wait-for.js";

const run = promisify(execFile);

/** A node of a cluster as CLUSTER NODES says it, seen from a node that is up. */
export interface ClusterNodeState {
  id: string;
  /** redis://127.0.0.1:<port> */
  url: string;
  role: "master" | "replica";
  /** The node's master's id, for a replica. */
  masterId: string | null;
  failed: boolean;
}

export interface RedisCluster {
  /** The seed nodes, comma-separated: REDIS_URL with HOOKYARD_REDIS_CLUSTER=true. */
  url: string;
  /** Every node's redis://127.0.0.1:<port>, killed ones included. */
  nodeUrls: string[];
  /** The nodes as the cluster sees them now. */
  nodes(): Promise<ClusterNodeState[]>;
  /** The URL of the master serving the slot of `key` now (CLUSTER KEYSLOT, then CLUSTER SLOTS). */
  masterOfKey(key: string): Promise<string>;
  /**
   * Kills the master at `url` as a crash would (SIGKILL), then waits until the cluster has promoted
   * its replica and says cluster_state:ok on every node still up; returns the promoted replica's URL.
   */
  killMaster(url: string): Promise<string>;
  /** Starts a killed node again on its port and data; a master that was replaced rejoins as a replica. */
  restartNode(url: string): Promise<void>;
  /** Stops the node's process (SIGSTOP) without closing its connections, as a hung host would; the
   * returned function resumes it. */
  freezeNode(url: string): () => void;
  stop(): Promise<void>;
}

interface Node {
  port: number;
  url: string;
  dir: string;
  args: string[];
  child: ChildProcess;
}

/** Ports nothing listens on, all different (a data port and a cluster bus port per node). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function withNode<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // A node that is down answers with refused connections, which `use` sees as a rejection.
  redis.on("error", () => {});
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

function parseNodes(text: string): ClusterNodeState[] {
  return text
    .trim()
    .split("\n")
    .map((line) => {
      const [id = "", address = "", flags = "", masterId = "-"] = line.split(" ");
      const hostPort = address.split("@")[0] ?? "";
      const flagList = flags.split(",");
      return {
        id,
        url: `redis://${hostPort}`,
        role: flagList.includes("master") ? "master" : "replica",
        masterId: masterId === "-" ? null : masterId,
        failed: flagList.includes("fail") || flagList.includes("fail?"),
      };
    });
}

/**
 * A Redis Cluster of the test's own: six redis-server processes on free loopback ports, three
 * masters and a replica each, every one persisting with an fsync per write as startRedisServer's
 * does. A node times out after 2 s (Redis's default is 15 s), so a killed master's replica takes
 * over within a few seconds.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const ports = await distinctFreePorts(12);
  const nodes: Node[] = [];
  const stopAll = async () => {
    await Promise.all(
      nodes.map(async (node) => {
        if (node.child.exitCode === null && node.child.signalCode === null) {
          const exited = new Promise((resolve) => node.child.once("exit", resolve));
          node.child.kill("SIGKILL");
          await exited;
        }
        await rm(node.dir, { recursive: true, force: true });
      }),
    );
  };
  try {
    for (let i = 0; i < 6; i++) {
      const port = ports[i] as number;
      const busPort = ports[i + 6] as number;
      const dir = await mkdtemp(join(tmpdir(), "hookyard-redis-cluster-"));
      const args = [
        "--port",
        String(port),
        // Explicit, since port + 10000 (the default) may be past 65535 or taken.
        "--cluster-port",
        String(busPort),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "2000",
        // A replica may take over however long it was cut off from its master.
        "--cluster-replica-validity-factor",
        "0",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
      ];
      const child = spawn("redis-server", args, { stdio: "ignore" });
      nodes.push({ port, url: `redis://127.0.0.1:${port}`, dir, args, child });
    }
    for (const node of nodes) {
      await waitFor(() => withNode(node.url, async (redis) => (await redis.ping()) === "PONG"), {
        timeoutMs: 10_000,
        what: `redis-server on ${node.port}`,
      });
    }
    await run(
      "redis-cli",
      ["--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "1", "--cluster-yes"],
      { timeout: 30_000 },
    );
    await waitUntilHealthy(nodes.map((n) => n.url));
  } catch (error) {
    await stopAll();
    throw error;
  }

  const nodeAt = (url: string) => {
    const node = nodes.find((n) => n.url === url);
    if (!node) throw new Error(`${url} is not a node of this cluster`);
    return node;
  };
  const live = () => nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null);
  const state = async () => {
    const [first] = live();
    if (!first) throw new Error("every node of the cluster is down");
    return parseNodes(await withNode(first.url, (redis) => redis.cluster("NODES") as Promise<string>));
  };

  return {
    url: nodes.map((n) => n.url).join(","),
    nodeUrls: nodes.map((n) => n.url),
    nodes: state,
    async masterOfKey(key) {
      const [first] = live();
      if (!first) throw new Error("every node of the cluster is down");
      return withNode(first.url, async (redis) => {
        const slot = await redis.cluster("KEYSLOT", key);
        const range = (await redis.cluster("SLOTS")).find(([from, to]) => slot >= from && slot <= to);
        const master = range?.[2];
        if (!master) throw new Error(`no master serves slot ${slot}`);
        return `redis://${master[0]}:${master[1]}`;
      });
    },
    async killMaster(url) {
      const node = nodeAt(url);
      const before = await state();
      const master = before.find((n) => n.url === url && n.role === "master");
      const replica = before.find((n) => n.masterId === master?.id && !n.failed);
      if (!master || !replica) throw new Error(`${url} is not a master with a replica`);
      const exited = new Promise((resolve) => node.child.once("exit", resolve));
      node.child.kill("SIGKILL");
      await exited;
      await waitFor(
        async () => {
          const now = await state();
          return now.find((n) => n.id === replica.id)?.role === "master";
        },
        { timeoutMs: 30_000, what: `the replica ${replica.url} promoted in place of ${url}` },
      );
      await waitUntilHealthy(live().map((n) => n.url));
      return replica.url;
    },
    async restartNode(url) {
      const node = nodeAt(url);
      node.child = spawn("redis-server", node.args, { stdio: "ignore" });
      await waitFor(() => withNode(url, async (redis) => (await redis.ping()) === "PONG"), {
        timeoutMs: 10_000,
        what: `redis-server on ${node.port} again`,
      });
      await waitUntilHealthy(live().map((n) => n.url));
    },
    freezeNode(url) {
      const { child } = nodeAt(url);
      child.kill("SIGSTOP");
      return () => child.kill("SIGCONT");
    },
    stop: stopAll,
  };
}

/** Every node says cluster_state:ok and every replica is in sync with its master. */
async function waitUntilHealthy(urls: string[]): Promise<void> {
  for (const url of urls) {
    await waitFor(
      () =>
        withNode(url, async (redis) => {
          const info = (await redis.cluster("INFO")) as string;
          if (!/^cluster_state:ok\r?$/m.test(info)) return false;
          const replication = await redis.info("replication");
          return /^role:master\r?$/m.test(replication) || /^master_link_status:up\r?$/m.test(replication);
        }),
      { timeoutMs: 30_000, what: `cluster_state:ok and replication in sync on ${url}` },
    );
  }
}
