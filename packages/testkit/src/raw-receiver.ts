import { createServer, type Server, type Socket } from "node:net";

export interface RawReceiver {
  url: string;
  /** How many requests it has read. */
  count(): number;
  close(): Promise<void>;
}

/**
 * A receiver that answers each request with exactly the bytes the test gives, so it can send what no
 * well-behaved HTTP server would: NULs and control characters in headers, invalid UTF-8, lies about
 * lengths. It reads one request per connection (headers and a Content-Length body), then writes the
 * answer and closes.
 */
export async function startRawReceiver(answer: (n: number) => Buffer | string): Promise<RawReceiver> {
  let requests = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString("latin1");
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (buffered.length < end + 4 + length) return;
      requests += 1;
      socket.end(answer(requests));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
