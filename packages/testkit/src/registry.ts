import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.js";

export interface RegistryOptions {
  /** Where the registry POSTs its notification envelopes. */
  notifyUrl: string;
  /** Sent as `Authorization: Bearer <token>` with every envelope. */
  token?: string;
  /** Defaults to a free loopback port. */
  port?: number;
}

export interface RegistryHandle {
  /** `127.0.0.1:PORT`, no scheme: the form skopeo and image references want. */
  url: string;
  stop(): Promise<void>;
  /** The registry's recent stdout and stderr, interleaved. */
  logs(): string;
}

const REGISTRY_BIN = "docker-registry";
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;
const LOG_LIMIT = 64 * 1024;

/** Keeps only the tail of the output so a chatty registry cannot grow memory in long runs. */
class LogBuffer {
  private text = "";
  append(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > LOG_LIMIT) this.text = this.text.slice(-LOG_LIMIT);
  }
  toString(): string {
    return this.text;
  }
}

// JSON strings are valid YAML double-quoted scalars, which saves quoting rules of our own.
const q = (value: string): string => JSON.stringify(value);

function configYaml(root: string, port: number, opts: RegistryOptions): string {
  const headers =
    opts.token === undefined ? [] : ["      headers:", `        Authorization: [${q(`Bearer ${opts.token}`)}]`];
  return [
    "version: 0.1",
    "log:",
    "  level: info",
    "  formatter: text",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${q(root)}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: ${q(`127.0.0.1:${port}`)}`,
    // A fixed secret silences the "generated random secret" warning on every start.
    `  secret: ${q(randomBytes(16).toString("hex"))}`,
    // No periodic storage health probes: they only add log noise in tests.
    "health:",
    "  storagedriver:",
    "    enabled: false",
    "notifications:",
    "  endpoints:",
    "    - name: hookyard",
    `      url: ${q(opts.notifyUrl)}`,
    ...headers,
    "      timeout: 2s",
    "      threshold: 3",
    "      backoff: 1s",
    "",
  ].join("\n");
}

function spawnRegistry(configPath: string, logs: LogBuffer): ChildProcess {
  const child = spawn(REGISTRY_BIN, ["serve", configPath], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => logs.append(chunk));
  child.stderr?.on("data", (chunk: Buffer) => logs.append(chunk));
  // Without a listener a spawn failure (ENOENT) would crash the test process.
  child.on("error", (err) => logs.append(`\n[spawn error] ${err.message}\n`));
  return child;
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function isReady(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function waitReady(child: ChildProcess, port: number, logs: LogBuffer): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.pid === undefined) {
      await sleep(10); // the spawn error is emitted on a later tick; let it reach the logs
      throw new Error(`could not run ${REGISTRY_BIN} (apt-get install docker-registry): ${logs}`);
    }
    if (hasExited(child)) {
      throw new Error(`${REGISTRY_BIN} exited before it was ready (code ${child.exitCode}):\n${logs}`);
    }
    if (await isReady(port)) return;
    await sleep(100);
  }
  throw new Error(`docker-registry did not answer GET /v2/ on port ${port} within ${READY_TIMEOUT_MS} ms:\n${logs}`);
}

async function killProcess(child: ChildProcess): Promise<void> {
  if (hasExited(child) || child.pid === undefined) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

async function launch(opts: RegistryOptions, port: number): Promise<RegistryHandle> {
  const dir = await mkdtemp(join(tmpdir(), "hookyard-registry-"));
  const configPath = join(dir, "config.yml");
  await writeFile(configPath, configYaml(join(dir, "storage"), port, opts));

  const logs = new LogBuffer();
  const child = spawnRegistry(configPath, logs);
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= killProcess(child).then(() => rm(dir, { recursive: true, force: true }));
    return stopped;
  };

  try {
    await waitReady(child, port, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `127.0.0.1:${port}`, stop, logs: () => logs.toString() };
}

const isPortTaken = (err: unknown): boolean => err instanceof Error && err.message.includes("address already in use");

/** Starts the Distribution registry with a notification endpoint named `hookyard`. */
export async function startRegistry(opts: RegistryOptions): Promise<RegistryHandle> {
  if (opts.port !== undefined) return launch(opts, opts.port);
  // The free port is only free until we close our probe socket; another process may take it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts, await freePort());
    } catch (err) {
      if (attempt >= 3 || !isPortTaken(err)) throw err;
    }
  }
}
