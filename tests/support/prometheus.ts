import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "@hookyard/testkit";

/** What parse-prometheus-text-format makes of one metric family (it ships no types). */
export interface Family {
  name: string;
  type: string;
  metrics: Array<{
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
}

/** Prometheus text exposition, as its metric families. */
export const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => Family[];

export interface PrometheusServer {
  url: string;
  /** GET /api/v1/<path>'s `data`; throws with Prometheus's error when the call is refused. */
  api<T = any>(path: string, params?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

/**
 * A real Prometheus (Debian's `prometheus`, beside promtool) on loopback, with `config` as its
 * prometheus.yml; `files` are written beside it first (a token file, say), `{dir}` in the config
 * naming their folder. Its data lives in a temporary folder removed on close.
 */
export async function startPrometheus(config: string, files: Record<string, string> = {}): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), "hookyard-prometheus-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, { mode: 0o600 });
  await writeFile(join(dir, "prometheus.yml"), config.replaceAll("{dir}", dir));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  child.stderr.on("data", (chunk) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
        return (await fetch(`${url}/-/ready`).catch(() => null))?.ok;
      },
      { what: "Prometheus ready", timeoutMs: 20_000 },
    );
  } catch (error) {
    await close();
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return {
    url,
    async api(path, params = {}) {
      const res = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
      const body = (await res.json()) as { status: string; data: any; error?: string };
      if (body.status !== "success") throw new Error(`Prometheus ${path}: ${body.error}`);
      return body.data;
    },
    close,
  };
}
