// Baseline: a bare BullMQ worker whose processor does nothing, on `count` jobs queued first with
// data the size of a delivery job's, at `concurrency`; prints {"perSecond", "cpuPerJob"}: what one
// job costs, added and run, in this process and in Redis (the floor of one job per delivery).
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { cpuOf } from "./rig.js";

const [count = "20000", concurrency = "100"] = process.argv.slice(2);
const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const prefix = `hy-bench-bare-${process.pid}`;
// Hookyard's stream length (packages/queues catalog.ts), so both trim alike.
const queue = new Queue("deliveries", { connection, prefix, streams: { events: { maxLen: 1_000 } } });
const total = Number(count);
const cpuBefore = { own: process.cpuUsage(), redis: await cpuOf("redis-server") };
for (let i = 0; i < total; i += 1_000) {
  await queue.addBulk(
    Array.from({ length: Math.min(1_000, total - i) }, (_, j) => ({
      name: "deliver",
      data: { deliveryId: `dlv_${String(i + j).padStart(26, "0")}` },
      opts: { jobId: `dlv_${String(i + j).padStart(26, "0")}`, removeOnComplete: { count: 100 } },
    })),
  );
}
let done = 0;
let started = 0;
const finished = new Promise<void>((resolve) => {
  const worker = new Worker(
    "deliveries",
    async () => {
      if (done === 0) started = performance.now();
      done++;
      if (done === total) setImmediate(() => worker.close().then(() => resolve()));
    },
    { connection, prefix, concurrency: Number(concurrency) },
  );
});
await finished;
const perSecond = (done * 1000) / (performance.now() - started);
const own = process.cpuUsage(cpuBefore.own);
const cpuPerJob = {
  client: Math.round((own.user + own.system) / total),
  redis: Math.round((((await cpuOf("redis-server")) - cpuBefore.redis) * 1e6) / total),
};
console.log(JSON.stringify({ perSecond, cpuPerJob }));
await queue.obliterate({ force: true });
await queue.close();
connection.disconnect();
