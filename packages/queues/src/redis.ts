import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";

/**
 * "producer": the API. It must answer 503 fast when Redis is down rather than queue commands in
 * memory and hang the request, so the offline queue is off and a command fails after one retry.
 * "worker": BullMQ workers block on Redis and must wait out an outage, so they retry forever.
 */
export type RedisRole = "producer" | "worker";

/** One Redis, or the nodes of a Redis Cluster: what the queues run on (config's REDIS_URL). */
export type RedisConnection = Redis | Cluster;

/** Config's REDIS_URL and HOOKYARD_REDIS_CLUSTER. */
export interface RedisSettings {
  redisUrl: string;
  redisCluster: boolean;
}

const PRODUCER: RedisOptions = { maxRetriesPerRequest: 1, connectTimeout: 1_000, commandTimeout: 2_000 };
const WORKER: RedisOptions = { maxRetriesPerRequest: null };

export function createRedis(url: string, role: RedisRole): Redis {
  if (role === "worker") {
    return new Redis(url, { ...WORKER, enableReadyCheck: true });
  }
  return new Redis(url, {
    ...PRODUCER,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 1_000),
  });
}

/** A Redis Cluster client for the role when settings say cluster, else createRedis's client. */
export function connectRedis(settings: RedisSettings, role: RedisRole): RedisConnection {
  if (!settings.redisCluster) return createRedis(settings.redisUrl, role);
  const seeds = settings.redisUrl.split(",").map((seed) => new URL(seed));
  const nodes = seeds.map((seed) => ({ host: seed.hostname.replace(/^\[|\]$/g, ""), port: Number(seed.port || 6379) }));
  // Every node of a cluster shares the credentials and TLS of the seeds.
  const auth = seeds.find((seed) => seed.username || seed.password);
  const node: RedisOptions = {
    ...(role === "worker" ? WORKER : PRODUCER),
    ...(auth?.username ? { username: decodeURIComponent(auth.username) } : {}),
    ...(auth?.password ? { password: decodeURIComponent(auth.password) } : {}),
    ...(seeds.some((seed) => seed.protocol === "rediss:") ? { tls: {} } : {}),
  };
  const options: ClusterOptions =
    role === "worker"
      ? {
          redisOptions: node,
          // A command to a master that died is retried until its replica has taken over (about
          // cluster-node-timeout, 15 s by default, and the election): 100 tries 300 ms apart.
          retryDelayOnFailover: 300,
          retryDelayOnClusterDown: 300,
          maxRedirections: 100,
        }
      : {
          redisOptions: node,
          enableOfflineQueue: false,
          // A few quick tries, well within ingest's deadline, then 503: the registry retries.
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          maxRedirections: 6,
          clusterRetryStrategy: (times) => Math.min(times * 200, 1_000),
        };
  return new Cluster(nodes, options);
}

export function isCluster(connection: RedisConnection): connection is Cluster {
  return (connection as Cluster).isCluster === true;
}
