import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Hookyard's images, run with podman as scripts/containers/ builds them (docker/README.md, "Built and
// run in CI"). No Docker engine runs on the machines the tests run on; podman runs the same images.

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The settings this machine needs for podman (runc, the host's ulimits): scripts/containers/containers.conf. */
export const CONTAINERS_CONF = join(root, "scripts/containers/containers.conf");
/** Written by scripts/containers/build-images.sh when a build fails (with the end of its log). */
const BUILD_FAILED = join(root, ".tmp/containers/build-failed");

const tag = process.env.HOOKYARD_IMAGE_TAG || "local";
export const IMAGES = {
  api: `localhost/hookyard-api:${tag}`,
  worker: `localhost/hookyard-worker:${tag}`,
  migrate: `localhost/hookyard-migrate:${tag}`,
} as const;

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** podman with this repository's settings. Never rejects: callers look at the exit code. */
export function podmanResult(args: string[], timeoutMs = 120_000): Promise<PodmanResult> {
  return new Promise((resolve) => {
    execFile(
      "podman",
      args,
      { env: { ...process.env, CONTAINERS_CONF }, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr: error && code === -1 ? `${stderr}\n${error.message}` : stderr });
      },
    );
  });
}

/** podman with this repository's settings; rejects unless it exits 0, with what it said. */
export async function podman(args: string[], timeoutMs?: number): Promise<string> {
  const result = await podmanResult(args, timeoutMs);
  if (result.code !== 0) {
    // Without systemd, podman complains on stderr about health-check timers on every run; that is noise.
    throw new Error(`podman ${args.slice(0, 3).join(" ")} ... exited ${result.code}: ${withoutNoise(result.stderr)}`);
  }
  return result.stdout;
}

/** podman's stderr without the lines about systemd timers for health checks (there is no systemd here). */
export function withoutNoise(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => line && !line.includes("unable to get systemd connection"))
    .join("\n");
}

/**
 * Fails, saying why and what to run, unless the three images exist and their last build did not
 * fail. `pnpm test` builds them first (scripts/test-prerequisites.sh -> scripts/containers/build-images.sh).
 */
export async function requireImages(): Promise<void> {
  if (existsSync(BUILD_FAILED)) {
    throw new Error(`building the images failed, so there is nothing to test:\n${readFileSync(BUILD_FAILED, "utf8")}`);
  }
  const which = await podmanResult(["--version"]);
  if (which.code !== 0) {
    throw new Error(`podman cannot run (${which.stderr.trim() || "not installed"}): run scripts/test-prerequisites.sh`);
  }
  const missing: string[] = [];
  for (const image of Object.values(IMAGES)) {
    if ((await podmanResult(["image", "exists", image])).code !== 0) missing.push(image);
  }
  if (missing.length) {
    throw new Error(
      `missing image(s) ${missing.join(", ")}: build them with scripts/containers/build-images.sh (pnpm test does, first)`,
    );
  }
}

/** A name no other test run on this machine uses: `hy-<what>-<random>`. */
export function uniqueName(what: string): string {
  return `hy-${what}-${randomBytes(4).toString("hex")}`;
}

/**
 * Writes the variables to a file of their own (mode 0600) for `--env-file`, so that tokens and the
 * database URL stay out of podman's command line (and so out of `ps`). Returns the file and a remover.
 */
export async function envFile(env: Record<string, string>): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "hookyard-env-"));
  const path = join(dir, "env");
  for (const [key, value] of Object.entries(env)) {
    if (value.includes("\n")) throw new Error(`${key}: an env file holds one line per variable`);
  }
  await writeFile(
    path,
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}\n`)
      .join(""),
    { mode: 0o600 },
  );
  await chmod(path, 0o600);
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface Container {
  name: string;
  /** `podman exec` in the running container; resolves to what the command printed and its exit code. */
  exec(command: string[]): Promise<PodmanResult>;
  /** `podman stop -t <grace>`: SIGTERM, then SIGKILL after `graceSeconds`. Resolves to the exit code. */
  stop(graceSeconds: number): Promise<number>;
  /** `podman start` again (same settings). */
  start(): Promise<void>;
  /** Everything the container wrote to stdout and stderr, as `podman logs` gives it. */
  logs(): Promise<string>;
  /** Its JSON log lines, parsed (other lines, such as "SIGTERM received", are left out). */
  logLines(): Promise<Record<string, unknown>[]>;
  inspect(format: string): Promise<string>;
  remove(): Promise<void>;
}

/**
 * `podman run -d` on the host's network (so the container reaches 127.0.0.1:5432 and :6379, and the
 * test reaches the container on loopback), with the variables in an env file.
 */
export async function runContainer(options: {
  name: string;
  image: string;
  env: Record<string, string>;
}): Promise<Container> {
  const env = await envFile(options.env);
  try {
    await podman(["run", "-d", "--name", options.name, "--network", "host", "--env-file", env.path, options.image]);
  } finally {
    await env.remove();
  }
  return containerHandle(options.name);
}

export function containerHandle(name: string): Container {
  const handle: Container = {
    name,
    exec: (command) => podmanResult(["exec", name, ...command]),
    async stop(graceSeconds) {
      await podman(["stop", "-t", String(graceSeconds), name], (graceSeconds + 30) * 1000);
      return Number((await handle.inspect("{{.State.ExitCode}}")).trim());
    },
    async start() {
      await podman(["start", name]);
    },
    async logs() {
      const result = await podmanResult(["logs", name]);
      return `${result.stdout}${result.stderr}`;
    },
    async logLines() {
      const result = await podmanResult(["logs", name]);
      return `${result.stdout}\n${result.stderr}`
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    inspect: (format) => podman(["container", "inspect", "--format", format, name]),
    async remove() {
      await podmanResult(["rm", "-f", "-t", "0", name]);
    },
  };
  return handle;
}

/** A one-shot container (`podman run --rm`); resolves to its exit code and output. */
export async function runOnce(options: { name: string; image: string; env: Record<string, string> }) {
  const env = await envFile(options.env);
  try {
    return await podmanResult(
      ["run", "--rm", "--name", options.name, "--network", "host", "--env-file", env.path, options.image],
      180_000,
    );
  } finally {
    await env.remove();
  }
}

export interface HeldRequest {
  path: string;
  headers: IncomingHttpHeaders;
  json: any;
}

export interface GatedReceiver {
  url: string;
  /** Every request read so far, answered or not. */
  requests: HeldRequest[];
  /** Requests read and not answered yet. */
  held(): number;
  /** Answers the held requests (200) and every later one at once. */
  open(): void;
  close(): Promise<void>;
}

/**
 * A loopback receiver that holds its answers until the test opens it: a worker's deliveries then
 * stay in flight for as long as the test wants (for a SIGTERM in the middle of a batch).
 */
export async function startGatedReceiver(): Promise<GatedReceiver> {
  const requests: HeldRequest[] = [];
  const waiting: Array<() => void> = [];
  let opened = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let json: unknown = null;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {}
      requests.push({ path: req.url ?? "", headers: req.headers, json });
      const answer = () => res.writeHead(200).end();
      if (opened) answer();
      else waiting.push(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    held: () => waiting.length,
    open() {
      opened = true;
      for (const answer of waiting.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
