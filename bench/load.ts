// One autocannon run in a process of its own, so the load generator does not share the server's
// event loop. Every request carries a fresh event id: identical bodies would be deduplicated.
//   node --import tsx bench/load.ts <url> <token> <connections> <seconds>
import { manifestPush } from "@hookyard/testkit";
import autocannon from "autocannon";

const [url, token, connections = "50", seconds = "10"] = process.argv.slice(2);

function envelope(): string {
  return JSON.stringify(manifestPush({ repository: "bench/app", tag: "latest", timestamp: new Date().toISOString() }));
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
