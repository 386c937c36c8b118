// Fairness under many bad receivers (issue 29): one healthy webhook's latency alone, then beside 5
// and beside 50 webhooks whose receivers take requests and never answer, with their deliveries
// queued first, and a receiver that answers after 8 s. What deferring those deliveries costs the
// worker and Redis meanwhile is read from /proc.
import { type HealthyRun, healthyRun, ingestPushes, live, untilWritten, warmUp } from "./delivery.js";
import { cpuOf, fmt, type Sink, SLOW_ANSWER_MS, seedWebhooks, startSink } from "./rig.js";

const RATE = Number(process.env.BENCH_FAIRNESS_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_FAIRNESS_SECONDS ?? 15);
/** Dead webhooks and the deliveries queued for each, per round: 5 x 4,000 and 50 x 1,000. */
const ROUNDS = [
  { dead: 5, each: Number(process.env.BENCH_FAIRNESS_EACH_5 ?? 4_000) },
  { dead: 50, each: Number(process.env.BENCH_FAIRNESS_EACH_50 ?? 1_000) },
];

type Run = HealthyRun;
const healthy = (base: string, sink: Sink, firstTag: number) =>
  healthyRun(base, sink, firstTag, { rate: RATE, seconds: SECONDS, webhooks: 1 });

const line = (name: string, run: Run, alone?: Run) => {
  const lost =
    run.count === run.expected ? "none lost" : `${fmt(run.expected - run.count)} not delivered within a minute`;
  const ratio = alone
    ? `; ${(run.p99 / alone.p99).toFixed(2)} x alone, +${fmt(run.p99 - alone.p99, 1)} ms (target <= 1.25 x or +20 ms)`
    : "";
  return `  ${name.padEnd(28)} ${fmt(run.count)} delivered, p50 ${fmt(run.p50, 1)} ms, p99 ${fmt(run.p99, 1)} ms${ratio}, ${lost}`;
};

export async function benchFairness(): Promise<void> {
  // Receivers of their own, as dead endpoints are other hosts: they do not share the healthy
  // receiver's connection pool.
  const dead = await startSink();
  await live("fairness", async ({ stage, sink, api, worker }) => {
    await seedWebhooks(stage.db, 1, { url: sink.url("ok"), repository: "bench/healthy" });
    await warmUp(api.base, stage.db, "bench/healthy", 1);
    const alone = await healthy(api.base, sink, 0);
    console.log(
      `fairness: one healthy webhook at ${RATE} pushes/s for ${SECONDS} s, alone, then beside webhooks whose receivers never answer (deliveries queued for them first) and one answering after ${SLOW_ANSWER_MS / 1000} s; one worker process`,
    );
    console.log(line("alone", alone));
    let tag = 1_000_000;
    for (const [round, { dead: count, each }] of ROUNDS.entries()) {
      const repository = `bench/dead-${round}`;
      await seedWebhooks(stage.db, count, { url: dead.url("hang"), repository });
      if (round === 0) await seedWebhooks(stage.db, 1, { url: dead.url("slow"), repository });
      const queuedAt = performance.now();
      await ingestPushes(api.base, repository, each);
      const writtenMs = await untilWritten(stage.db, repository, each * (count + (round === 0 ? 1 : 0)), queuedAt);
      const stuck = await stage.db.delivery.count({ where: { webhook: { repository }, status: "pending" } });
      const before = { worker: await worker.cpu(), redis: await cpuOf("redis-server") };
      const beside = await healthy(api.base, sink, tag);
      tag += 1_000_000;
      const seconds = SECONDS;
      const workerCpu = (await worker.cpu()) - before.worker;
      const redisCpu = (await cpuOf("redis-server")) - before.redis;
      const attempts = await stage.db.deliveryAttempt.count({ where: { delivery: { webhook: { repository } } } });
      console.log(line(`beside ${count} dead${round === 0 ? " and a slow one" : ""}`, beside, alone));
      console.log(
        `    ${fmt(each)} pushes to them ingested and their deliveries written in ${fmt(writtenMs / 1000, 1)} s, before the healthy run; ${fmt(stuck)} pending; ${fmt(attempts)} attempts made to them; while the healthy one ran (${seconds} s) the worker used ${fmt((100 * workerCpu) / seconds)} % of a core, Redis ${fmt((100 * redisCpu) / seconds)} %`,
      );
    }
    console.log("");
  }).finally(() => dead.close());
}
