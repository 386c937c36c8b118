import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildOciLayout,
  deleteQueueKeys,
  dropDatabase,
  freePort,
  manifestPush,
  type Receiver,
  type RegistryHandle,
  skopeoCopy,
  startReceiver,
  startRegistry,
  unusedDatabaseUrl,
  waitFor,
} from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Container,
  containerHandle,
  type GatedReceiver,
  IMAGES,
  podman,
  podmanResult,
  requireImages,
  runContainer,
  runOnce,
  startGatedReceiver,
  uniqueName,
} from "./support/containers.js";
import { kubePlayFiles, renderExampleOverlay } from "./support/containers-kube.js";

// Hookyard's three images (docker/Dockerfile), built by scripts/containers/build-images.sh before the
// suite (pnpm test), run for real with podman against this machine's Postgres and Redis: the migrate
// image on a fresh database, two API and two worker containers, a real Distribution registry pushed
// to with skopeo, a worker stopped with SIGTERM in the middle of a batch, then the Kubernetes
// manifests (deploy/kubernetes, example overlay) played by `podman kube play`. Containers use the
// host's network (--network host): everything is on loopback. A missing image fails every test
// here (requireImages), it never skips them.

const ADMIN_TOKEN = "test-admin-token-0123456789";
const INGEST_TOKEN = "test-ingest-token-0123456789";
/** HOOKYARD_ENCRYPTION_KEYS: the images refuse to start without it. A fixed key, for tests only. */
const ENCRYPTION_KEYS = `test:${Buffer.alloc(32, 42).toString("base64")}`;
const REDIS_URL = "redis://127.0.0.1:6379";
const DISTRIBUTION_V1 = "application/vnd.docker.distribution.events.v1+json";
/** Seconds `podman stop` waits after SIGTERM before SIGKILL: the worker's grace in Kubernetes is 60. */
const GRACE_SECONDS = 60;

const migrationsDir = fileURLToPath(new URL("../prisma/migrations", import.meta.url));
const MIGRATIONS = readdirSync(migrationsDir).filter((name) => existsSync(join(migrationsDir, name, "migration.sql")));

async function call(baseUrl: string, method: string, path: string, body?: unknown, token = ADMIN_TOKEN) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined
        ? {}
        : { "content-type": path.includes("/ingest/") ? DISTRIBUTION_V1 : "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json };
}

async function createWebhook(baseUrl: string, body: Record<string, unknown>): Promise<{ id: string }> {
  const res = await call(baseUrl, "POST", "/api/v1/webhooks", body);
  if (res.status !== 201) throw new Error(`creating a webhook: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

/** The webhook's deliveries once there are `count` of them and none is pending any more. */
function settledDeliveries(baseUrl: string, webhookId: string, count: number, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const res = await call(baseUrl, "GET", `/api/v1/webhooks/${webhookId}/deliveries?limit=100`);
      const items = (res.json?.items ?? []) as Array<{ id: string; status: string; attempts: number }>;
      return items.length >= count && items.every((d) => d.status !== "pending") && items;
    },
    { timeoutMs, intervalMs: 250, what: `${count} settled deliveries of webhook ${webhookId}` },
  );
}

async function readyz(baseUrl: string): Promise<unknown> {
  return waitFor(
    async () => {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200 && res.json();
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${baseUrl}/readyz answering 200` },
  );
}

async function healthz(baseUrl: string): Promise<number> {
  return waitFor(
    async () => {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return res.status === 200 && res.status;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${baseUrl}/healthz answering 200` },
  );
}

/**
 * Why the images cannot be tested, if they cannot. Every test throws it first: a missing image or a
 * failed build fails each test (a throwing beforeAll would have vitest report them as skipped).
 */
const imagesProblem = () =>
  requireImages().then(
    () => undefined,
    (error: Error) => error,
  );

describe("the images, run with podman", () => {
  const run = randomBytes(4).toString("hex");
  const queuePrefix = `hy-ctr-${run}`;
  const databaseUrl = unusedDatabaseUrl();
  const containers: Container[] = [];
  const apis: Array<{ container: Container; url: string }> = [];
  const workers: Array<{ container: Container; url: string }> = [];
  let receiver: Receiver;
  let gated: GatedReceiver;
  let registry: RegistryHandle | undefined;
  let layoutDir: string | undefined;
  let imagesMissing: Error | undefined;

  const common = () => ({
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    HOOKYARD_ADMIN_TOKEN: ADMIN_TOKEN,
    HOOKYARD_INGEST_TOKENS: INGEST_TOKEN,
    HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
    HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
    HOOKYARD_QUEUE_PREFIX: queuePrefix,
    HOOKYARD_RETRY_SCHEDULE: "200ms,500ms,1s",
    // debug: a worker logs its successful delivery attempts only at debug.
    LOG_LEVEL: "debug",
  });

  beforeAll(async () => {
    imagesMissing = await imagesProblem();
    receiver = await startReceiver();
    gated = await startGatedReceiver();
  }, 60_000);

  afterAll(async () => {
    gated?.open();
    for (const container of containers) await container.remove();
    await registry?.stop();
    await receiver?.close();
    await gated?.close();
    if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
    await dropDatabase(databaseUrl);
    await deleteQueueKeys(REDIS_URL, queuePrefix);
  }, 120_000);

  it("migrate creates a fresh database and applies every migration, then finds nothing pending", async () => {
    if (imagesMissing) throw imagesMissing;
    const first = await runOnce({
      name: uniqueName("migrate"),
      image: IMAGES.migrate,
      env: { DATABASE_URL: databaseUrl },
    });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("created the database");
    for (const migration of MIGRATIONS) expect(first.stderr).toContain(`applied ${migration}`);
    expect(first.stderr).toContain(`done: ${MIGRATIONS.length} applied, 0 already applied before`);

    const second = await runOnce({
      name: uniqueName("migrate"),
      image: IMAGES.migrate,
      env: { DATABASE_URL: databaseUrl },
    });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`done: nothing pending (${MIGRATIONS.length} already applied)`);
    expect(second.stderr).not.toContain("created the database");
  }, 240_000);

  it("two API and two worker containers start on it, as the unprivileged node user; the API serves its UI and docs; the health check answers", async () => {
    if (imagesMissing) throw imagesMissing;
    // Started side by side: podman takes a second or two for each. Named first, so that afterAll
    // removes every one of them even if another fails to start.
    const apiPorts = [await freePort(), await freePort()];
    const workerPorts = [await freePort(), await freePort()];
    const names = [uniqueName("api1"), uniqueName("api2"), uniqueName("worker1"), uniqueName("worker2")];
    containers.push(...names.map(containerHandle));
    const started = await Promise.all([
      ...apiPorts.map((port, i) =>
        runContainer({
          name: names[i]!,
          image: IMAGES.api,
          env: { ...common(), PORT: String(port), HOOKYARD_PUBLIC_URL: `http://127.0.0.1:${port}` },
        }),
      ),
      ...workerPorts.map((port, i) =>
        runContainer({
          name: names[2 + i]!,
          image: IMAGES.worker,
          env: { ...common(), HOOKYARD_WORKER_METRICS_PORT: String(port) },
        }),
      ),
    ]);
    apis.push(...apiPorts.map((port, i) => ({ container: started[i]!, url: `http://127.0.0.1:${port}` })));
    workers.push(...workerPorts.map((port, i) => ({ container: started[2 + i]!, url: `http://127.0.0.1:${port}` })));

    for (const { url } of apis) expect(await readyz(url)).toEqual({ status: "ok", postgres: "ok", redis: "ok" });
    for (const { url } of workers) expect(await healthz(url)).toBe(200);

    for (const image of Object.values(IMAGES)) {
      expect(await podman(["image", "inspect", "--format", "{{.Config.User}}", image]), image).toBe("node\n");
    }
    for (const container of [...apis, ...workers].map((c) => c.container)) {
      const uid = await container.exec(["id", "-u"]);
      const gid = await container.exec(["id", "-g"]);
      expect([uid.stdout.trim(), gid.stdout.trim()], container.name).toEqual(["1000", "1000"]);
      // The process the runtime signals is Node itself (no shell in between to swallow SIGTERM).
      expect((await container.exec(["cat", "/proc/1/cmdline"])).stdout.split("\0")[0], container.name).toBe("node");
      // The code is root's and read-only for the app.
      const write = await container.exec(["sh", "-c", "touch /app/package.json"]);
      expect(write.code, container.name).not.toBe(0);
    }

    // What the trimmed tree still serves: the web UI built into the image, the API reference (its
    // assets come from swagger-ui-dist), Bull Board.
    const base = apis[0]!.url;
    const ui = await fetch(`${base}/ui/`);
    expect([ui.status, ui.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
    expect(await ui.text()).toContain('<div id="root">');
    for (const path of ["/api/openapi.json", "/api/docs", "/api/docs/swagger-ui-bundle.js"]) {
      const res = await fetch(`${base}${path}`);
      await res.body?.cancel();
      expect(res.status, path).toBe(200);
    }
    const board = await fetch(`${base}/admin/queues`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await board.body?.cancel();
    expect(board.status).toBe(200);

    // The API image's HEALTHCHECK (GET /healthz with Node's fetch; there is no curl in the image),
    // run on demand: without systemd podman schedules no health checks of its own.
    const api1 = apis[0]!.container;
    expect(await podman(["image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", IMAGES.api])).toContain(
      "/healthz",
    );
    const check = await podmanResult(["healthcheck", "run", api1.name]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(await api1.inspect("{{.State.Health.Status}}")).toBe("healthy\n");
  }, 180_000);

  it("a skopeo push to a real Distribution registry that notifies one API container reaches the receiver", async () => {
    if (imagesMissing) throw imagesMissing;
    const [api1, api2] = apis;
    const webhook = await createWebhook(api1!.url, {
      name: "deploy",
      url: `${receiver.url}/deploy`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    registry = await startRegistry({ notifyUrl: `${api2!.url}/api/v1/ingest/distribution`, token: INGEST_TOKEN });
    layoutDir = await mkdtemp(join(tmpdir(), "hookyard-oci-"));
    const image = await buildOciLayout(layoutDir, { tag: "latest" });

    await skopeoCopy(layoutDir, "latest", `${registry.url}/acme/web:1.0`);

    const [delivered] = await receiver.waitForRequests(1, 60_000);
    expect(delivered?.path).toBe("/deploy");
    expect(delivered?.headers["x-hookyard-event"]).toBe("TAG_PUSH");
    expect(delivered?.json).toMatchObject({
      type: "TAG_PUSH",
      contents: { namespace: "acme", repository: "web", tag: "1.0", digest: image.manifestDigest },
    });
    // Booked in Postgres by a worker container, read back through the other API container.
    const [summary] = await settledDeliveries(api1!.url, webhook.id, 1);
    expect(summary).toMatchObject({ status: "succeeded", attempts: 1, lastStatusCode: 200 });
  }, 120_000);

  it("SIGTERM: a worker stopped with deliveries in flight finishes them and exits 0; the other delivers the rest; none is lost", async () => {
    if (imagesMissing) throw imagesMissing;
    const [api1] = apis;
    const [worker1, worker2] = workers;
    const webhook = await createWebhook(api1!.url, {
      name: "batch",
      url: `${gated.url}/batch`,
      events: ["TAG_PUSH"],
      repository: "acme/batch",
    });

    // An idle worker stops at once, cleanly; worker 1 then has the batch to itself.
    expect(await worker2!.container.stop(GRACE_SECONDS)).toBe(0);

    const EVENTS = 12;
    for (let i = 0; i < EVENTS; i++) {
      const res = await call(
        api1!.url,
        "POST",
        "/api/v1/ingest/distribution",
        manifestPush({ repository: "acme/batch", tag: `v${i}` }),
        INGEST_TOKEN,
      );
      expect(res.status).toBe(202);
    }
    // The receiver holds its answers: worker 1's first deliveries are in flight.
    await waitFor(() => gated.held() >= 1, { timeoutMs: 60_000, what: "a delivery in flight at the receiver" });
    const inFlight = gated.held();

    const stopped = worker1!.container.stop(GRACE_SECONDS);
    await waitFor(async () => (await worker1!.container.logs()).includes("hookyard-worker: SIGTERM received"), {
      timeoutMs: 30_000,
      what: "worker 1 to receive SIGTERM",
    });
    // Only now do the deliveries in flight get their answers; worker 1 books them before it exits.
    gated.open();
    expect(await stopped).toBe(0); // exited by itself: podman did not need SIGKILL within the grace period
    const attemptsOfWorker1 = (await worker1!.container.logLines()).filter((l) => l.message === "delivery attempt");
    expect(attemptsOfWorker1.length).toBeGreaterThanOrEqual(inFlight);
    expect(attemptsOfWorker1.map((l) => l.kind)).toEqual(attemptsOfWorker1.map(() => "succeeded"));

    // What worker 1 had not started waits in Redis for the next worker: worker 2, started again.
    await worker2!.container.start();
    const deliveries = await settledDeliveries(api1!.url, webhook.id, EVENTS);
    expect(deliveries).toHaveLength(EVENTS);
    for (const delivery of deliveries) expect(delivery).toMatchObject({ status: "succeeded", attempts: 1 });
    const received = new Set(gated.requests.map((r) => r.headers["x-hookyard-delivery"]));
    expect(received).toEqual(new Set(deliveries.map((d) => d.id)));
    expect(gated.requests).toHaveLength(EVENTS); // each sent once: nothing in flight was abandoned and sent again
  }, 240_000);

  it("every container still running stops cleanly on SIGTERM within its grace period", async () => {
    if (imagesMissing) throw imagesMissing;
    const running: Container[] = [];
    for (const { container } of [...apis, ...workers]) {
      if ((await container.inspect("{{.State.Running}}")).trim() === "true") running.push(container);
    }
    // Both APIs, and worker 2 (started again above); worker 1 was stopped above.
    expect(running.map((c) => c.name)).toEqual([apis[0], apis[1], workers[1]].map((c) => c!.container.name));
    for (const container of running) {
      expect(await container.stop(GRACE_SECONDS), container.name).toBe(0);
      expect(await container.logs(), container.name).toMatch(/hookyard-(api|worker): SIGTERM received, stopping/);
    }
  }, 240_000);
});

describe("deploy/kubernetes, played by podman kube play", () => {
  const run = randomBytes(4).toString("hex");
  const queuePrefix = `hy-kube-${run}`;
  const databaseUrl = unusedDatabaseUrl();
  let dir: string | undefined;
  let receiver: Receiver;
  const played: string[] = [];
  let imagesMissing: Error | undefined;

  beforeAll(async () => {
    imagesMissing = await imagesProblem();
    receiver = await startReceiver();
    dir = await mkdtemp(join(tmpdir(), "hookyard-kube-"));
  }, 60_000);

  afterAll(async () => {
    for (const file of played.reverse()) await podmanResult(["kube", "down", file], 120_000);
    await receiver?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    await dropDatabase(databaseUrl);
    await deleteQueueKeys(REDIS_URL, queuePrefix);
  }, 180_000);

  it("runs the migrate Job's pod, then the API and worker Deployments; the API answers /readyz and delivers; kube down removes them", async () => {
    if (imagesMissing) throw imagesMissing;
    const apiPort = await freePort();
    const workerMetricsPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const files = kubePlayFiles(renderExampleOverlay(), {
      suffix: run,
      images: IMAGES,
      apiPort,
      workerMetricsPort,
      secrets: {
        DATABASE_URL: databaseUrl,
        HOOKYARD_ADMIN_TOKEN: ADMIN_TOKEN,
        HOOKYARD_INGEST_TOKENS: INGEST_TOKEN,
        HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
      },
      config: {
        REDIS_URL,
        HOOKYARD_QUEUE_PREFIX: queuePrefix,
        HOOKYARD_PUBLIC_URL: apiUrl,
        HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
      },
    });
    const migrateFile = join(dir!, "migrate.yaml");
    const deploymentsFile = join(dir!, "deployments.yaml");
    await writeFile(migrateFile, files.migrate, { mode: 0o600 });
    await writeFile(deploymentsFile, files.deployments, { mode: 0o600 });

    // 1. The migrate Job's pod, to completion (README: the Job first, the rest once it is complete).
    played.push(migrateFile);
    await podman(["kube", "play", migrateFile]);
    const migrate = containerHandle(`${files.names.migrate}-migrate`);
    const exit = await waitFor(
      async () => {
        const [status, code] = (await migrate.inspect("{{.State.Status}} {{.State.ExitCode}}")).trim().split(" ");
        return status === "exited" && Number(code);
      },
      { timeoutMs: 120_000, intervalMs: 250, what: "the migrate pod to finish" },
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await migrate.logs()}`);
    });
    expect(exit, await migrate.logs()).toBe(0);
    expect(await migrate.logs()).toContain(`done: ${MIGRATIONS.length} applied`);

    // 2. The Deployments: one API pod (no HPA here) and the overlay's three workers.
    played.push(deploymentsFile);
    await podman(["kube", "play", deploymentsFile]);
    expect(await readyz(apiUrl)).toEqual({ status: "ok", postgres: "ok", redis: "ok" });
    expect(await healthz(apiUrl)).toBe(200);
    expect(await healthz(`http://127.0.0.1:${workerMetricsPort}`)).toBe(200);
    const pods = (await podman(["pod", "ps", "--format", "{{.Name}} {{.Status}}", "--filter", `name=-${run}-pod-`]))
      .trim()
      .split("\n")
      .sort();
    expect(pods).toEqual(
      [
        `${files.names.api}-pod-0 Running`,
        `${files.names.worker}-pod-0 Running`,
        `${files.names.worker}-pod-1 Running`,
        `${files.names.worker}-pod-2 Running`,
      ].sort(),
    );

    // As the manifests say: uid 1000, a read-only root file system, /tmp writable (emptyDir).
    const api = containerHandle(`${files.names.api}-pod-0-api`);
    expect((await api.exec(["id", "-u"])).stdout.trim()).toBe("1000");
    expect((await api.exec(["sh", "-c", "touch /app/x"])).code).not.toBe(0);
    expect((await api.exec(["sh", "-c", "touch /tmp/x"])).code).toBe(0);
    expect(await api.inspect("{{.HostConfig.ReadonlyRootfs}}")).toBe("true\n");
    // ...no capabilities, no privilege escalation, and the container's limits (1 CPU, 512Mi).
    const security = JSON.parse(
      await api.inspect(
        '{"drop": {{json .HostConfig.CapDrop}}, "opt": {{json .HostConfig.SecurityOpt}}, "memory": {{.HostConfig.Memory}}, "cpus": {{.HostConfig.NanoCpus}}}',
      ),
    );
    expect(security.drop).toEqual(expect.arrayContaining(["CAP_CHOWN", "CAP_NET_RAW", "CAP_SETUID", "CAP_SYS_CHROOT"]));
    expect(security.opt).toContain("no-new-privileges");
    expect([security.memory, security.cpus]).toEqual([512 * 1024 * 1024, 1e9]);

    // And it delivers: a webhook through this API, an event ingested, the receiver gets it.
    const webhook = await createWebhook(apiUrl, {
      name: "kube",
      url: `${receiver.url}/kube`,
      events: ["TAG_PUSH"],
      repository: "acme/kube",
    });
    const ingest = await call(
      apiUrl,
      "POST",
      "/api/v1/ingest/distribution",
      manifestPush({ repository: "acme/kube", tag: "1.0" }),
      INGEST_TOKEN,
    );
    expect(ingest.status).toBe(202);
    const [delivered] = await receiver.waitForRequests(1, 60_000);
    expect(delivered?.json).toMatchObject({ type: "TAG_PUSH", contents: { repository: "kube", tag: "1.0" } });
    const [summary] = await settledDeliveries(apiUrl, webhook.id, 1);
    expect(summary).toMatchObject({ status: "succeeded", attempts: 1 });

    // 3. Down: every pod of both files is gone.
    for (const file of played.splice(0).reverse()) await podman(["kube", "down", file], 180_000);
    const left = await podman(["pod", "ps", "--format", "{{.Name}}", "--filter", `name=-${run}`]);
    expect(left.trim()).toBe("");
  }, 300_000);
});
