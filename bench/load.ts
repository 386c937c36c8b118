// One autocannon run in a process of its own, so the load generator does not share the server's
// event loop. Every request carries a fresh event id: identical bodies would be deduplicated.
//   node --import tsx bench/load.ts <url> <token> <connections> <seconds>
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";

const [url, token, connections = "50", seconds = "10"] = process.argv.slice(2);

function envelope(): string {
  const digest = `sha256:${randomUUID().replaceAll("-", "").padEnd(64, "0")}`;
  return JSON.stringify({
    events: [
      {
        id: randomUUID(),
        timestamp: new Date().toISOString(),
        action: "push",
        target: {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          size: 428,
          digest,
          length: 428,
          repository: "bench/app",
          url: `http://127.0.0.1:5000/v2/bench/app/manifests/${digest}`,
          tag: "latest",
        },
        request: { id: randomUUID(), addr: "127.0.0.1:1", host: "127.0.0.1:5000", method: "PUT", useragent: "bench" },
        actor: { name: "bench" },
        source: { addr: "bench:5000", instanceID: "bench" },
      },
    ],
  });
}

const result = await autocannon({
  url: url as string,
  method: "POST",
  connections: Number(connections),
  duration: Number(seconds),
  headers: {
    authorization: `Bearer ${token}`,
    "content-type": "application/vnd.docker.distribution.events.v1+json",
  },
  requests: [{ setupRequest: (req) => ({ ...req, body: envelope() }) }],
});
process.stdout.write(
  JSON.stringify({
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  }),
);
