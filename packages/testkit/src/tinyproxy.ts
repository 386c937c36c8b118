import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { waitFor } from "./wait-for.js";

export interface Tinyproxy {
  /** http://127.0.0.1:port, without credentials. */
  url: string;
  /** The targets it was asked to CONNECT to ("127.0.0.1:8443", "localhost:8080"), from its log. */
  connects(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface TinyproxyOptions {
  /** The only ports it opens tunnels to (its ConnectPort). */
  connectPorts: number[];
  /** Asks every client for these credentials (407 without them). */
  basicAuth?: { user: string; password: string };
}

/**
 * Debian's tinyproxy in the foreground, on a free loopback port, with a config and a log of its
 * own in a temporary directory: a real HTTP proxy for the egress-proxy tests.
 */
export async function startTinyproxy(options: TinyproxyOptions): Promise<Tinyproxy> {
  const dir = await mkdtemp(join(tmpdir(), "hookyard-tinyproxy-"));
  const port = await freePort();
  const log = join(dir, "tinyproxy.log");
  const config = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 30",
    `LogFile "${log}"`,
    "LogLevel Connect",
    "MaxClients 50",
    "Allow 127.0.0.1",
    ...options.connectPorts.map((p) => `ConnectPort ${p}`),
    ...(options.basicAuth ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`] : []),
  ];
  await writeFile(join(dir, "tinyproxy.conf"), `${config.join("\n")}\n`);
  const child: ChildProcess = spawn("tinyproxy", ["-d", "-c", join(dir, "tinyproxy.conf")], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("connect", () => {
          socket.destroy();
          resolve(true);
        });
        socket.once("error", () => resolve(false));
      }),
    { what: `tinyproxy listening on 127.0.0.1:${port}` },
  );
  return {
    url: `http://127.0.0.1:${port}`,
    async connects() {
      const text = await readFile(log, "utf8").catch(() => "");
      return [...text.matchAll(/: CONNECT (\S+) HTTP\//g)].map((match) => match[1] as string);
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
