import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { type ApiHandle, startApi } from "@hookyard/api";
import { type Config, loadConfig } from "@hookyard/config";
import { createDb, type Db } from "@hookyard/db";
import { createLogger, type Logger } from "@hookyard/logger";
import { connectRedis, createQueues, deliveryQueueOf, type Queues } from "@hookyard/queues";
import { createTestDatabase, deleteQueueKeys, type TestDatabase, waitFor } from "@hookyard/testkit";
import { startWorker, type WorkerHandle } from "@hookyard/worker";
import { Redis } from "ioredis";

export const ADMIN_TOKEN = "test-admin-token-0123456789";
export const INGEST_TOKEN = "test-ingest-token-0123456789";
export const DISTRIBUTION_V1 = "application/vnd.docker.distribution.events.v1+json";
/** HOOKYARD_ENCRYPTION_KEYS of every test Hookyard: a fixed key, for tests only. */
export const TEST_ENCRYPTION_KEYS = `test:${Buffer.alloc(32, 42).toString("base64")}`;

/** Every ingest route with every media type it takes, for tests that try them all. */
export const INGEST_ROUTES = [
  { path: "/api/v1/ingest/distribution", contentType: DISTRIBUTION_V1 },
  { path: "/api/v1/ingest/harbor", contentType: "application/json" },
  { path: "/api/v1/ingest/harbor", contentType: "application/cloudevents+json" },
  { path: "/api/v1/events", contentType: "application/json" },
  { path: "/api/v1/ingest/quay", contentType: "application/json" },
  { path: "/api/v1/ingest/zot", contentType: "application/json" },
  { path: "/api/v1/ingest/zot", contentType: "application/cloudevents+json" },
];

const WORKER_MAIN = new URL("../../apps/worker/dist/main.js", import.meta.url).pathname;

export interface ApiResponse {
  status: number;
  headers: Headers;
  json: any;
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  rawBody?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * One isolated Hookyard per test: its own database (a copy of the migrated template), its own
 * queue prefix in the machine's Redis, the real API on a free port and, unless asked otherwise, a
 * worker in the same process.
 */
export class TestHookyard {
  private constructor(
    private settings: Config,
    private environment: Record<string, string>,
    readonly database: TestDatabase,
    readonly db: Db,
    private apiHandle: ApiHandle,
    private worker: WorkerHandle | null,
    private readonly children: Set<ChildProcess>,
    /** The processes' log lines, parsed; collected at LOG_LEVEL (error unless the test sets it). */
    readonly logLines: Record<string, unknown>[],
    private readonly logger: Logger,
  ) {}

  static async start(
    options: {
      env?: Record<string, string>;
      worker?: boolean;
      /** Reach Postgres another way (through a proxy a fault test can cut); gets the test database's URL. */
      databaseUrl?: (url: string) => string;
    } = {},
  ): Promise<TestHookyard> {
    const database = await createTestDatabase();
    const env: Record<string, string> = {
      DATABASE_URL: options.databaseUrl?.(database.url) ?? database.url,
      REDIS_URL: "redis://127.0.0.1:6379",
      PORT: "0",
      HOOKYARD_ADMIN_TOKEN: ADMIN_TOKEN,
      HOOKYARD_INGEST_TOKENS: INGEST_TOKEN,
      HOOKYARD_ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
      HOOKYARD_RETRY_SCHEDULE: "100ms,200ms,300ms",
      HOOKYARD_DELIVERY_TIMEOUT: "2s",
      HOOKYARD_QUEUE_PREFIX: `hy-test-${randomBytes(5).toString("hex")}`,
      HOOKYARD_JOB_LOCK: "1s",
      // No worker metrics server unless a test asks for one (on a free port): tests run side by side.
      HOOKYARD_WORKER_METRICS_PORT: "0",
      LOG_LEVEL: "error",
      ...options.env,
    };
    const config = loadConfig(env);
    const logLines: Record<string, unknown>[] = [];
    const destination = new PassThrough();
    destination.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        const parsed = JSON.parse(line);
        logLines.push(parsed);
        if (parsed.level === "error" || parsed.level === "warn") process.stderr.write(`${line}\n`);
      }
    });
    const logger = createLogger({ service: "test", level: config.logLevel, destination });
    const api = await startApi(config, logger);
    const worker = options.worker === false ? null : await startWorker(config, logger);
    const db = createDb(database.url, { encryptionKeys: config.encryptionKeys });
    return new TestHookyard(config, env, database, db, api, worker, new Set(), logLines, logger);
  }

  /** The settings its processes run with (restartWith changes them). */
  get config(): Config {
    return this.settings;
  }

  get env(): Record<string, string> {
    return this.environment;
  }

  get api(): ApiHandle {
    return this.apiHandle;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.api.port}`;
  }

  /**
   * Stops the API and the in-process worker, and starts them again on the same database and queues
   * with these settings changed (new HOOKYARD_ENCRYPTION_KEYS, say), as a redeploy would.
   */
  async restartWith(env: Record<string, string>): Promise<void> {
    const hadWorker = this.worker !== null;
    await this.stopWorker();
    await this.apiHandle.close();
    this.environment = { ...this.environment, ...env };
    this.settings = loadConfig(this.environment);
    this.apiHandle = await startApi(this.settings, this.logger);
    if (hadWorker) await this.startWorker();
  }

  /**
   * Stops the API and starts a new one on the same settings (and port, when PORT is set), or with
   * these variables changed (an empty value unsets one), as an operator's restart with a new
   * environment would. The worker keeps running on the settings it started with.
   */
  async restartApi(env: Record<string, string> = {}): Promise<void> {
    await this.apiHandle.close();
    this.environment = { ...this.environment, ...env };
    this.settings = loadConfig(this.environment);
    this.apiHandle = await startApi(this.settings, this.logger);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | Uint8Array | undefined;
    if (options.rawBody !== undefined || options.body !== undefined) {
      body = options.rawBody ?? JSON.stringify(options.body);
      headers["content-type"] = options.contentType ?? "application/json";
    }
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, json };
  }

  async createWebhook(body: Record<string, unknown>, token: string = ADMIN_TOKEN): Promise<{ id: string }> {
    const res = await this.request("POST", "/api/v1/webhooks", { body, token });
    if (res.status !== 201) throw new Error(`creating the webhook: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  }

  ingestDistribution(envelope: unknown): Promise<ApiResponse> {
    return this.request("POST", "/api/v1/ingest/distribution", {
      body: envelope,
      token: INGEST_TOKEN,
      contentType: DISTRIBUTION_V1,
    });
  }

  /** Waits until the webhook's deliveries all reach a final status, and returns them. */
  async settledDeliveries(webhookId: string, count: number, timeoutMs = 15_000) {
    return waitFor(
      async () => {
        const res = await this.request("GET", `/api/v1/webhooks/${webhookId}/deliveries?limit=100`);
        const items = res.json.items as Array<{ id: string; status: string }>;
        return items.length >= count && items.every((d) => d.status !== "pending") && items;
      },
      { timeoutMs, what: `${count} settled deliveries of ${webhookId}` },
    );
  }

  /** This Hookyard's queues, on a connection of their own (a cluster client when it runs on one). */
  async withQueues<T>(use: (queues: Queues) => Promise<T>): Promise<T> {
    const redis = this.config.redisCluster ? connectRedis(this.config, "worker") : new Redis(this.config.redisUrl);
    const queues = createQueues(redis, this.config.queuePrefix, this.config.deliveryShards);
    try {
      return await use(queues);
    } finally {
      await queues.close();
      redis.disconnect();
    }
  }

  /** How many event jobs this Hookyard's queue holds, in any state. */
  queuedEventJobs(): Promise<number> {
    return this.withQueues(async (queues) => {
      const counts = await queues.events.getJobCounts();
      return Object.values(counts).reduce((a, b) => a + b, 0);
    });
  }

  /** Takes a delivery's job out of Redis, as if it had never been queued; throws if there was none. */
  removeDeliveryJob(deliveryId: string): Promise<void> {
    return this.withQueues(async (queues) => {
      const { webhookId } = await this.db.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
      const job = await deliveryQueueOf(queues, webhookId).getJob(deliveryId);
      if (!job) throw new Error(`no job for delivery ${deliveryId}`);
      await job.remove();
    });
  }

  /** The event jobs this Hookyard's queue holds, in any state. */
  eventJobs(): ReturnType<Queues["events"]["getJobs"]> {
    return this.withQueues((queues) => queues.events.getJobs());
  }

  /** An in-process worker, for a test that started without one (or stopped it). */
  async startWorker(): Promise<void> {
    this.worker ??= await startWorker(this.config, this.logger);
  }

  async stopWorker(): Promise<void> {
    await this.worker?.close();
    this.worker = null;
  }

  /** Log lines of the workers started with spawnWorker, parsed, each with its process id. */
  readonly childLogLines: Array<Record<string, unknown> & { pid: number }> = [];

  /** A worker in a process of its own, as in production: the test may SIGKILL it. */
  spawnWorker(env: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: { ...process.env, ...this.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pid = child.pid ?? 0;
    let partial = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line) this.childLogLines.push({ ...JSON.parse(line), pid });
    });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    return child;
  }

  async close(): Promise<void> {
    for (const child of this.children) child.kill("SIGKILL");
    await this.worker?.close();
    await this.api.close();
    await this.db.$disconnect();
    await this.database.drop();
    await deleteQueueKeys(this.config.redisUrl, this.config.queuePrefix, this.config.redisCluster);
  }
}
