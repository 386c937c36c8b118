// Baseline: a bare POST loop of Hookyard's HTTP client (packages/transport) to the same loopback
// receiver, `concurrency` requests in flight, for BENCH_BASELINE_SECONDS; prints {"perSecond",
// "cpuPerRequest"}: what one request costs the client (the floor of one POST per delivery).
import { createHttpTransport } from "@hookyard/transport";

const [url, concurrency = "100"] = process.argv.slice(2);
const seconds = Number(process.env.BENCH_BASELINE_SECONDS ?? 5);
const transport = createHttpTransport({ allowPrivateTargets: true });
const body = JSON.stringify({ type: "TAG_PUSH", contents: { padding: "x".repeat(900) } });
const headers = { "content-type": "application/json" };
let done = 0;
const until = performance.now() + seconds * 1000;
async function loop(): Promise<void> {
  while (performance.now() < until) {
    const result = await transport.send({ url: url as string, headers, body, timeoutMs: 10_000 });
    if (!result.ok || result.statusCode !== 200) throw new Error(`the receiver answered ${JSON.stringify(result)}`);
    done++;
  }
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
await Promise.all(Array.from({ length: Number(concurrency) }, loop));
const perSecond = (done * 1000) / (performance.now() - started);
const cpu = process.cpuUsage(cpuBefore);
console.log(JSON.stringify({ perSecond, cpuPerRequest: Math.round((cpu.user + cpu.system) / done) }));
await transport.close();
