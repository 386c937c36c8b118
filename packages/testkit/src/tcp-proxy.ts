import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1; the same after a restore. */
  port: number;
  /** Takes the service away as a crash or restart would: open connections are cut and new ones refused. */
  cut(): Promise<void>;
  /** Brings it back on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of a service (Postgres), that a fault test can cut and restore
 * without touching the service itself, which other tests share.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;

  const listen = async () => {
    const next = createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => next.listen(port, "127.0.0.1", resolve));
    port = (next.address() as { port: number }).port;
    server = next;
  };
  const cut = async () => {
    const current = server;
    server = null;
    if (!current) return;
    const closed = new Promise((resolve) => current.close(resolve));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
