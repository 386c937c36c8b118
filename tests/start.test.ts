import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, dropDatabase, freePort, unusedDatabaseUrl, waitFor } from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";

const START = new URL("../scripts/start.mjs", import.meta.url).pathname;
const CHECK_NODE = new URL("../scripts/check-node.cjs", import.meta.url).pathname;
const API_MAIN = new URL("../apps/api/dist/main.js", import.meta.url).pathname;
const WORKER_MAIN = new URL("../apps/worker/dist/main.js", import.meta.url).pathname;
/** For the processes started here with a key given (pnpm start makes its own without one). */
const ENCRYPTION_KEYS = `test:${Buffer.alloc(32, 42).toString("base64")}`;

function run(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => {
    output += d;
    errors += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, stderr: () => errors, exited };
}

/** The pid of the child of `parent` whose command line holds `entry` (from /proc, as ps would). */
function childRunning(parent: number, entry: string): number | undefined {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Field 4 of stat is the parent pid; the command name before it is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, "utf8").includes(entry)) return Number(name);
    } catch {
      // gone since readdir
    }
  }
  return undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("starting Hookyard", () => {
  const children: ChildProcess[] = [];
  const databases: string[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const url of databases.splice(0)) await dropDatabase(url);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("pnpm start creates the database, migrates, serves, prints a generated admin token once, and stops on SIGTERM", async () => {
    const databaseUrl = unusedDatabaseUrl();
    databases.push(databaseUrl);
    const port = String(await freePort());
    // Where pnpm start keeps the key it makes (.hookyard/encryption-key of the checkout unless told).
    const keyDir = mkdtempSync(join(tmpdir(), "hookyard-key-"));
    dirs.push(keyDir);
    const keyFile = join(keyDir, "local", "encryption-key");
    const env = {
      DATABASE_URL: databaseUrl,
      PORT: port,
      HOOKYARD_QUEUE_PREFIX: `hy-start-${port}`,
      HOOKYARD_ADMIN_TOKEN: "",
      HOOKYARD_ENCRYPTION_KEYS: "",
      HOOKYARD_ENCRYPTION_KEY_FILE: keyFile,
    };
    const started = run(START, env);
    children.push(started.child);

    const ready = await waitFor(
      () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200 && r.json()),
      { timeoutMs: 20_000, what: "/readyz" },
    );
    expect(ready).toEqual({ status: "ok", postgres: "ok", redis: "ok" });
    await waitFor(() => started.output().includes('"message":"worker started"'), { what: "the worker" });

    const token = /shown only this once:\s+(hy_\S+)/.exec(started.output())?.[1];
    expect(token).toBeDefined();
    const hooks = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(hooks.status).toBe(200);

    // Without HOOKYARD_ENCRYPTION_KEYS it made a key, readable by its owner only, and said where,
    // never what; both processes got it: a webhook's header is stored encrypted and read back.
    const key = readFileSync(keyFile, "utf8").trim();
    expect(key).toMatch(/^local:[A-Za-z0-9+/]{43}=$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(started.stderr()).toContain(`HOOKYARD_ENCRYPTION_KEYS is not set: made a key for local use in ${keyFile}`);
    expect(started.output()).not.toContain(key.slice("local:".length));
    const created = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "kept",
        url: "https://example.com/hook",
        events: ["TAG_PUSH"],
        headers: { "X-Team": "team-under-local-key" },
      }),
    }).then((r) => r.json() as Promise<{ id: string; headers: Record<string, string> }>);
    expect(created.headers).toEqual({ "x-team": "team-under-local-key" });
    // The token never reaches the JSON log lines.
    const jsonLines = started
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"));
    expect(jsonLines.length).toBeGreaterThan(0);
    expect(jsonLines.some((l) => l.includes(token as string))).toBe(false);

    started.child.kill("SIGTERM");
    expect(await started.exited).toBe(0);
    expect(started.output()).toContain("hookyard-api: SIGTERM received");
    expect(started.output()).toContain("hookyard-worker: SIGTERM received");

    // A second start finds the database, applies nothing, and prints no new token; it uses the same
    // key, so what the first start stored reads back.
    const again = run(START, env);
    children.push(again.child);
    await waitFor(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200), { timeoutMs: 20_000 });
    expect(again.output()).toContain("migrations applied: none pending");
    expect(again.output()).not.toContain("shown only this once");
    expect(again.stderr()).toContain(`HOOKYARD_ENCRYPTION_KEYS is not set: using the local key in ${keyFile}`);
    expect(readFileSync(keyFile, "utf8").trim()).toBe(key);
    const kept = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks/${created.id}`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json() as Promise<{ headers: Record<string, string> }>);
    expect(kept.headers).toEqual({ "x-team": "team-under-local-key" });
    again.child.kill("SIGINT");
    expect(await again.exited).toBe(0);
  }, 90_000);

  it("pnpm start exits non-zero, saying which process died and how, when the worker is killed", async () => {
    const databaseUrl = unusedDatabaseUrl();
    databases.push(databaseUrl);
    const port = String(await freePort());
    const started = run(START, {
      DATABASE_URL: databaseUrl,
      PORT: port,
      HOOKYARD_QUEUE_PREFIX: `hy-start-${port}`,
      HOOKYARD_ADMIN_TOKEN: "test-admin-token-0123456789",
      HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
    });
    children.push(started.child);
    await waitFor(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200), {
      timeoutMs: 30_000,
      what: "/readyz",
    }).catch((error: Error) => {
      throw new Error(`${error.message}; pnpm start said:\n${started.output()}`);
    });
    await waitFor(() => started.output().includes('"message":"worker started"'), { what: "the worker" });
    const worker = childRunning(started.child.pid as number, "apps/worker/dist/main.js");
    const api = childRunning(started.child.pid as number, "apps/api/dist/main.js");
    expect(worker).toBeDefined();
    expect(api).toBeDefined();

    process.kill(worker as number, "SIGKILL");
    expect(await started.exited).toBe(128 + 9);
    expect(started.stderr()).toContain("hookyard: the worker was killed by SIGKILL; stopping the API");
    // The API was stopped with it, gracefully, rather than left serving alone.
    expect(started.output()).toContain("hookyard-api: SIGTERM received");
    expect(isRunning(api as number)).toBe(false);
  });

  it("a worker asked to stop while it is still starting stops cleanly once up, exit code 0", async () => {
    // Redis answers only once the signal is sent: until then the worker is surely mid-start.
    const held = new Set<Socket>();
    let holding = true;
    const redis = createServer((socket) => {
      if (holding) {
        held.add(socket);
        return;
      }
      const upstream = connect(6379, "127.0.0.1");
      socket.pipe(upstream).pipe(socket);
      socket.on("error", () => upstream.destroy());
      upstream.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve) => redis.listen(0, "127.0.0.1", resolve));
    const redisPort = (redis.address() as AddressInfo).port;
    try {
      const database = await createTestDatabase();
      databases.push(database.url);
      const worker = run(WORKER_MAIN, {
        DATABASE_URL: database.url,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        HOOKYARD_QUEUE_PREFIX: `hy-start-${redisPort}`,
        HOOKYARD_WORKER_METRICS_PORT: "0",
        HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
      });
      children.push(worker.child);
      await waitFor(() => held.size > 0, { timeoutMs: 20_000, what: "the worker to reach Redis" });

      worker.child.kill("SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 200));
      holding = false;
      for (const socket of held) socket.destroy();

      expect(await worker.exited).toBe(0);
      expect(worker.stderr()).toContain("hookyard-worker: SIGINT received, stopping");
    } finally {
      redis.close();
    }
  });

  it("refuses to start with a bad variable and names it", async () => {
    const started = run(API_MAIN, { PORT: "eighty" });
    children.push(started.child);
    expect(await started.exited).toBe(78);
    expect(started.output()).toContain("PORT: must be a whole number");
  });

  it("the API and the worker refuse the placeholder Secret of deploy/kubernetes, saying what to set and how", async () => {
    const secret = parse(readFileSync(new URL("../deploy/kubernetes/base/secret.yaml", import.meta.url), "utf8"));
    for (const entry of [API_MAIN, WORKER_MAIN]) {
      const started = run(entry, secret.stringData);
      children.push(started.child);
      expect(await started.exited, entry).toBe(78);
      const said = started.stderr();
      expect(said).toContain("invalid configuration: HOOKYARD_ADMIN_TOKEN: holds the placeholder");
      expect(said).toContain('HOOKYARD_ADMIN_TOKEN="$(openssl rand -hex 24)"');
      expect(said).toContain("HOOKYARD_INGEST_TOKENS: holds the placeholder");
      expect(said).toContain("DATABASE_URL: holds the placeholder");
    }
  });

  it("the API and the worker refuse to start without an encryption key, saying what to set; a bad one is named, never shown", async () => {
    const short = Buffer.alloc(16, 1).toString("base64");
    const runs = [API_MAIN, WORKER_MAIN].flatMap((entry) => [
      { without: true, started: run(entry, { HOOKYARD_ENCRYPTION_KEYS: "", HOOKYARD_WORKER_METRICS_PORT: "0" }) },
      {
        without: false,
        started: run(entry, { HOOKYARD_ENCRYPTION_KEYS: `k1:${short}`, HOOKYARD_WORKER_METRICS_PORT: "0" }),
      },
    ]);
    children.push(...runs.map((r) => r.started.child));
    for (const { without, started } of runs) {
      expect(await started.exited).toBe(78);
      if (without) {
        expect(started.stderr()).toMatch(
          /invalid configuration: HOOKYARD_ENCRYPTION_KEYS: is not set: .*key1:\$\(openssl rand -base64 32\)/,
        );
      } else {
        expect(started.stderr()).toContain('HOOKYARD_ENCRYPTION_KEYS: the key of "k1" is not the base64 of 32 bytes');
        expect(started.stderr()).not.toContain(short);
      }
    }
  });
});

describe("the Node version check that runs first (scripts/check-node.cjs)", () => {
  const check = createRequire(import.meta.url)(CHECK_NODE) as {
    isOlder(version: string, minimum: string): boolean;
    minimumNode(): string;
    advice(version: string, minimum: string): string | null;
  };
  const engines = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

  it("takes its minimum from package.json's engines and compares versions part by part", () => {
    expect(`>=${check.minimumNode()}`).toBe(engines.engines.node);
    expect(check.isOlder("18.20.4", "20.19")).toBe(true);
    expect(check.isOlder("20.18.9", "20.19")).toBe(true);
    expect(check.isOlder("20.19.0", "20.19")).toBe(false);
    expect(check.isOlder("20.20.2", "20.19")).toBe(false);
    expect(check.isOlder("9.11.2", "20.19")).toBe(true);
    expect(check.isOlder("100.0.0", "20.19")).toBe(false);
  });

  it("tells the user of Debian 12's Node 18 what to install, and pnpm with it", () => {
    const said = check.advice("18.20.4", "20.19");
    expect(said).toContain("Node.js 18.20.4 is too old: Hookyard needs Node.js 20.19 or later");
    expect(said).toContain("NodeSource");
    expect(said).toContain("nvm install 24");
    expect(said).toContain(`npm install -g ${engines.packageManager}`);
    expect(said).toContain("corepack enable");
  });

  it("lets this Node through silently, as the first command of pnpm start and pnpm test", () => {
    expect(execFileSync(process.execPath, [CHECK_NODE], { encoding: "utf8", stdio: "pipe" })).toBe("");
    expect(engines.scripts.start).toMatch(/^node scripts\/check-node\.cjs && /);
    expect(engines.scripts.test).toMatch(/^node scripts\/check-node\.cjs && /);
  });
});

describe("what pnpm start says when Postgres or Redis cannot be used", () => {
  const children: ChildProcess[] = [];
  const databases: string[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    for (const url of databases.splice(0)) await dropDatabase(url);
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  function start(env: Record<string, string>) {
    const started = run(START, { HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS, ...env });
    children.push(started.child);
    return started;
  }

  /** A redis-server of the test's own on a free port, wanting a password. */
  async function redisWithPassword(password: string): Promise<number> {
    const port = await freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--requirepass", password],
      { stdio: "ignore" },
    );
    children.push(child);
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const socket = connect(port, "127.0.0.1", () => resolve(true)).on("error", () => resolve(false));
          socket.unref();
          setTimeout(() => socket.destroy(), 50);
        }),
      { timeoutMs: 10_000, what: `redis-server on ${port}` },
    );
    return port;
  }

  it("nothing listens at DATABASE_URL: names the address and how to install, start and log in to PostgreSQL", async () => {
    const port = await freePort();
    const started = start({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/hookyard` });
    expect(await started.exited).toBe(1);
    const said = started.stderr();
    expect(said).toContain(`cannot prepare the database at DATABASE_URL (127.0.0.1:${port}): connect ECONNREFUSED`);
    expect(said).toContain("apt-get install postgresql");
    expect(said).toContain("service postgresql start");
    expect(said).toContain(`psql -c "ALTER USER postgres PASSWORD 'choose-a-password'"`);
    expect(said).toContain(`export DATABASE_URL=postgresql://postgres:choose-a-password@127.0.0.1:${port}/hookyard`);
  });

  it("nothing listens at REDIS_URL: names the address and how to install and start Redis, and starts nothing", async () => {
    const databaseUrl = unusedDatabaseUrl();
    databases.push(databaseUrl);
    const port = await freePort();
    const started = start({ DATABASE_URL: databaseUrl, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(await started.exited).toBe(1);
    const said = started.stderr();
    expect(said).toContain(`cannot use Redis at REDIS_URL (127.0.0.1:${port}): connect ECONNREFUSED`);
    expect(said).toContain("apt-get install redis-server");
    expect(said).toContain("service redis-server start");
    expect(started.output()).not.toContain("hookyard-api");
  });

  it("a Redis that wants a password: says REDIS_URL has none, or the wrong one, never showing it", async () => {
    const port = await redisWithPassword("the-right-one-42");
    const databaseUrl = unusedDatabaseUrl();
    databases.push(databaseUrl);
    const without = start({ DATABASE_URL: databaseUrl, REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(await without.exited).toBe(1);
    expect(without.stderr()).toContain(`cannot use Redis at REDIS_URL (127.0.0.1:${port}): NOAUTH`);
    expect(without.stderr()).toContain("This Redis wants a password (requirepass");
    expect(without.stderr()).toContain(`export REDIS_URL=redis://:the-password@127.0.0.1:${port}`);

    const wrong = start({ DATABASE_URL: databaseUrl, REDIS_URL: `redis://:not-it-17@127.0.0.1:${port}` });
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr()).toContain("WRONGPASS");
    expect(wrong.stderr()).toContain("The password in REDIS_URL is not the one Redis wants");
    expect(wrong.output()).not.toContain("not-it-17");

    const right = start({
      DATABASE_URL: databaseUrl,
      REDIS_URL: `redis://:the-right-one-42@127.0.0.1:${port}`,
      PORT: String(await freePort()),
      HOOKYARD_QUEUE_PREFIX: `hy-start-${port}`,
      HOOKYARD_WORKER_METRICS_PORT: "0",
    });
    await waitFor(() => right.output().includes('"message":"worker started"'), {
      timeoutMs: 30_000,
      what: "the worker on a Redis with a password",
    });
  }, 60_000);

  it("a PostgreSQL with Debian's scram-sha-256 logins: says DATABASE_URL has no password, or the wrong one, and how to set one", async () => {
    // A throwaway cluster of the test's own, as Debian sets one up (TCP logins by password), on a
    // free port. initdb refuses to run as root: it runs as the postgres user, in a folder of its own.
    const bin = `/usr/lib/postgresql/${readdirSync("/usr/lib/postgresql").sort().at(-1)}/bin`;
    const dir = mkdtempSync(join(tmpdir(), "hookyard-scram-"));
    const postgres = statSync("/var/lib/postgresql");
    chownSync(dir, postgres.uid, postgres.gid);
    const password = join(dir, "password");
    writeFileSync(password, "the-right-one-42\n");
    chownSync(password, postgres.uid, postgres.gid);
    const data = join(dir, "data");
    const port = await freePort();
    const asPostgres = (args: string[]) =>
      execFileSync("runuser", ["-u", "postgres", "--", ...args], { cwd: dir, stdio: "pipe" });
    asPostgres([
      `${bin}/initdb`,
      "-D",
      data,
      "--username=postgres",
      `--pwfile=${password}`,
      "--auth-host=scram-sha-256",
      "--auth-local=peer",
    ]);
    asPostgres([
      `${bin}/pg_ctl`,
      "-D",
      data,
      "-w",
      "-l",
      join(dir, "log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "start",
    ]);
    cleanups.push(() => {
      asPostgres([`${bin}/pg_ctl`, "-D", data, "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    });

    const without = start({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/hookyard` });
    expect(await without.exited).toBe(1);
    expect(without.stderr()).toContain(
      `cannot prepare the database at DATABASE_URL (127.0.0.1:${port}): PostgreSQL asks for the password of user "postgres", and DATABASE_URL has none`,
    );
    expect(without.stderr()).toContain("scram-sha-256");
    expect(without.stderr()).toContain(`psql -c "ALTER USER postgres PASSWORD 'choose-a-password'"`);
    expect(without.stderr()).toContain(
      `export DATABASE_URL=postgresql://postgres:choose-a-password@127.0.0.1:${port}/hookyard`,
    );

    const wrong = start({ DATABASE_URL: `postgresql://postgres:not-it-17@127.0.0.1:${port}/hookyard` });
    expect(await wrong.exited).toBe(1);
    expect(wrong.stderr()).toContain('password authentication failed for user "postgres"');
    expect(wrong.stderr()).toContain(`The password in DATABASE_URL is not user "postgres"'s`);
    expect(wrong.output()).not.toContain("not-it-17");

    // With the password, the database (missing so far) is made and migrated: that case needs no help.
    const right = start({
      DATABASE_URL: `postgresql://postgres:the-right-one-42@127.0.0.1:${port}/hookyard`,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
    });
    expect(await right.exited).toBe(1);
    expect(right.stderr()).toContain("hookyard: created the database");
    expect(right.stderr()).toContain("migrations applied: 2");
  }, 60_000);
});
