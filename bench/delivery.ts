// The delivery scenarios of `pnpm bench` (issue 15): throughput with its two baselines, two worker
// processes, latency under an open-loop sender, fan-out to 10,000 webhooks, and isolation from a
// receiver that never answers. Each prints its figure beside its target.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { manifestPush, waitFor } from "@hookyard/testkit";
import {
  cpuOf,
  fmt,
  ingest,
  openStage,
  type Proc,
  percentile,
  reading,
  type Sink,
  type Stage,
  seedWebhooks,
  sleep,
  startApiProcess,
  startSink,
  startWorker,
  succeededCount,
  untilSucceeded,
} from "./rig.js";

const run = promisify(execFile);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000);
const WEBHOOKS = 10;
const CONCURRENCY = process.env.BENCH_WORKER_CONCURRENCY ?? "100";
const WAIT = { timeoutMs: 300_000, intervalMs: 50 };

const push = (repository: string, tag = "latest") =>
  manifestPush({ repository, tag, timestamp: new Date().toISOString() });

/** Runs a bench/baseline-*.ts script in a process of its own and returns what it printed (JSON). */
async function baseline<T>(script: string, args: string[]): Promise<T> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as T;
}

/** Sends `count` pushes, 50 requests at a time, as fast as the API takes them. */
export async function ingestPushes(base: string, repository: string, count: number): Promise<void> {
  for (let sent = 0; sent < count; sent += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - sent) }, () => ingest(base, push(repository))));
  }
}

export interface Throughput {
  perSecond: number;
  perWorkerCpuSecond: number;
  cpuPerDelivery: { workers: number; postgres: number; redis: number; receiver: number };
  peakRssMb: number[];
  seconds: number;
  walPerDelivery: number;
}

/**
 * A stage with EVENTS pushes to WEBHOOKS webhooks queued through the API (stopped after), and no
 * worker yet: what the throughput and crash runs start from. `run` gets the stage, its receiver and
 * the worker processes it starts (stopped at the end).
 */
async function queued(
  name: string,
  extra: Record<string, string>,
  run: (stage: Stage, sink: Sink, procs: Proc[]) => Promise<void>,
  rateLimit: number | null = null,
): Promise<void> {
  const stage = await openStage(name, { HOOKYARD_WORKER_CONCURRENCY: CONCURRENCY, ...extra });
  const sink = await startSink();
  const api = await startApiProcess(stage.env);
  const procs: Proc[] = [];
  try {
    await seedWebhooks(stage.db, WEBHOOKS, { url: sink.url("ok"), repository: "bench/app" });
    if (rateLimit !== null)
      await stage.db.webhook.updateMany({ where: { repository: "bench/app" }, data: { rateLimit } });
    await ingestPushes(api.base, "bench/app", EVENTS);
    await api.stop();
    await run(stage, sink, procs);
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await api.stop();
    await sink.close();
    await stage.close();
  }
}

/**
 * EVENTS pushes to WEBHOOKS webhooks, queued first; then `workers` worker processes start. Timed
 * from a fifth of the deliveries to the last, so that a worker's start (module loading, about 2 s
 * of CPU) is not counted as delivery work.
 */
export async function throughput(workers: number, rateLimit: number | null = null): Promise<Throughput> {
  let figure: Throughput | undefined;
  const name = rateLimit === null ? `throughput-${workers}` : `throughput-${workers}-limited`;
  await queued(
    name,
    {},
    async (stage, sink, procs) => {
      const total = EVENTS * WEBHOOKS;
      for (let i = 0; i < workers; i++) procs.push(startWorker(stage.env));
      await untilSucceeded(stage.db, sink, total / 5);
      const from = await reading(stage.db, procs);
      await untilSucceeded(stage.db, sink, total);
      const to = await reading(stage.db, procs);
      const delivered = to.done - from.done;
      const perDelivery = (key: "workers" | "postgres" | "redis" | "receiver") =>
        Math.round(((to[key] - from[key]) * 1e6) / delivered);
      const peakRssMb = await Promise.all(procs.map((p) => p.peakRssMb()));
      figure = {
        perSecond: (delivered * 1000) / (to.at - from.at),
        perWorkerCpuSecond: delivered / (to.workers - from.workers),
        cpuPerDelivery: {
          workers: perDelivery("workers"),
          postgres: perDelivery("postgres"),
          redis: perDelivery("redis"),
          receiver: perDelivery("receiver"),
        },
        peakRssMb,
        seconds: (to.at - from.at) / 1000,
        walPerDelivery: Math.round((to.wal - from.wal) / delivered),
      };
    },
    rateLimit,
  );
  return figure as Throughput;
}

/**
 * What per-webhook rate limits cost (decision 0021): the throughput run with no webhook limited
 * (no Redis round trip for the limit: compare with `pnpm bench throughput` before it), then with
 * every webhook limited far above what it gets (10,000/s each), so that the limit never defers and
 * what is measured is the window's two script calls per attempt.
 */
export async function benchRateLimits(): Promise<void> {
  const unlimited = await throughput(1);
  const limited = await throughput(1, 10_000);
  console.log(
    `rate limits: ${fmt(EVENTS)} pushes x ${WEBHOOKS} webhooks, one worker process, no limit vs 10,000/s each`,
  );
  for (const [label, run] of [
    ["rateLimit null (unused)", unlimited],
    ["rateLimit 10,000 (never reached)", limited],
  ] as const) {
    const cpu = run.cpuPerDelivery;
    console.log(
      `  ${label.padEnd(34)} ${fmt(run.perSecond).padStart(7)} deliveries/s; CPU per delivery: worker ${cpu.workers} µs, Postgres ${cpu.postgres} µs, Redis ${cpu.redis} µs`,
    );
  }
  console.log("");
}

export async function benchThroughput(): Promise<Throughput> {
  const sink = await startSink();
  const receiverBefore = process.cpuUsage();
  const post = await baseline<{ perSecond: number; cpuPerRequest: number }>("bench/baseline-post.ts", [
    sink.url("ok"),
    CONCURRENCY,
  ]);
  const receiverCpu = process.cpuUsage(receiverBefore);
  const receiverPerRequest = Math.round((receiverCpu.user + receiverCpu.system) / sink.delivered());
  await sink.close();
  const bare = await baseline<{ perSecond: number; cpuPerJob: { client: number; redis: number } }>(
    "bench/baseline-bullmq.ts",
    [String(EVENTS * WEBHOOKS), CONCURRENCY],
  );
  const one = await throughput(1);
  const cpu = one.cpuPerDelivery;
  // What one delivery cannot cost less than with one BullMQ job and one POST each: the two bare
  // baselines' CPU, beside the budget of two cores at the target (2 s of CPU a second / 3,000).
  const floor = bare.cpuPerJob.client + bare.cpuPerJob.redis + post.cpuPerRequest + receiverPerRequest;
  console.log(
    `throughput: ${fmt(EVENTS)} pushes x ${WEBHOOKS} webhooks, one worker process (concurrency ${CONCURRENCY}), every attempt recorded in Postgres`,
  );
  console.log(
    `  bare BullMQ no-op worker (baseline)          ${fmt(bare.perSecond).padStart(7)} jobs/s      a job, added and run: ${bare.cpuPerJob.client} µs client, ${bare.cpuPerJob.redis} µs Redis`,
  );
  console.log(
    `  bare POST loop, same client and receiver    ${fmt(post.perSecond).padStart(7)} requests/s  a request: ${post.cpuPerRequest} µs client, ${receiverPerRequest} µs receiver`,
  );
  console.log(
    `  Hookyard                                     ${fmt(one.perSecond).padStart(7)} deliveries/s  (target >= 3,000; ${(one.perSecond / post.perSecond).toFixed(2)} x the POST loop, target >= 0.25)`,
  );
  console.log(
    `  CPU per delivery: worker ${cpu.workers} µs, Postgres ${cpu.postgres} µs, Redis ${cpu.redis} µs, receiver ${cpu.receiver} µs; Postgres's WAL ${fmt(one.walPerDelivery)} bytes; measured over ${one.seconds.toFixed(1)} s`,
  );
  console.log(
    `  CPU per delivery, all four ${cpu.workers + cpu.postgres + cpu.redis + cpu.receiver} µs; a job and a POST alone ${floor} µs; two cores at 3,000/s allow ${Math.round(2e6 / 3_000)} µs`,
  );
  console.log(`  worker peak RSS ${fmt(one.peakRssMb[0] ?? 0)} MB (target < 250)\n`);
  return one;
}

export async function benchTwoWorkers(): Promise<void> {
  const one = await throughput(1);
  const two = await throughput(2);
  console.log(`two workers: the throughput run with one worker process, then two, on these 2 cores`);
  console.log(
    `  one worker   ${fmt(one.perSecond).padStart(6)} deliveries/s, ${fmt(one.perWorkerCpuSecond).padStart(6)} per worker CPU-second`,
  );
  console.log(
    `  two workers  ${fmt(two.perSecond).padStart(6)} deliveries/s, ${fmt(two.perWorkerCpuSecond).padStart(6)} per worker CPU-second (peak RSS ${two.peakRssMb.map((r) => fmt(r)).join(" + ")} MB)`,
  );
  console.log(
    `  per worker CPU-second, two against one: ${(two.perWorkerCpuSecond / one.perWorkerCpuSecond).toFixed(2)} (target >= 0.9)\n`,
  );
}

/** Delivered latencies (ms) of pushes tagged t<n> sent at sentAt[n]. */
export function latencies(sentAt: Map<number, number>, arrivals: Map<number, number[]>): number[] {
  const out: number[] = [];
  for (const [n, at] of sentAt) for (const arrived of arrivals.get(n) ?? []) out.push(arrived - at);
  return out.sort((a, b) => a - b);
}

/**
 * An open-loop sender: one push every 1000/rate ms whether or not the API has answered the last,
 * tagged t<n> so that the receiver can tell which push each delivery carries.
 */
/** When the API answered each push of the open loops (tag -> performance.now()). */
export const answeredAt = new Map<number, number>();

export async function openLoop(base: string, repository: string, rate: number, seconds: number, firstTag = 0) {
  const sentAt = new Map<number, number>();
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  const count = rate * seconds;
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const tag = firstTag + i;
    sentAt.set(tag, performance.now());
    inFlight.push(
      ingest(base, push(repository, `t${tag}`)).then(() => {
        answeredAt.set(tag, performance.now());
      }),
    );
  }
  await Promise.all(inFlight);
  return sentAt;
}

/** With BENCH_LATENCY_TRACE set, each second's latency and API answer time, by when the push was sent. */
export function traceBySecond(sentAt: Map<number, number>, arrivals: Map<number, number[]>): void {
  if (!process.env.BENCH_LATENCY_TRACE) return;
  const t0 = Math.min(...sentAt.values());
  const second = (at: number) => Math.floor((at - t0) / 1000);
  const bySecond = new Map<number, { latency: number[]; answer: number[] }>();
  for (const [n, at] of sentAt) {
    const entry = bySecond.get(second(at)) ?? { latency: [], answer: [] };
    bySecond.set(second(at), entry);
    entry.answer.push((answeredAt.get(n) ?? at) - at);
    for (const arrived of arrivals.get(n) ?? []) entry.latency.push(arrived - at);
  }
  for (const [sec, { latency, answer }] of [...bySecond].sort((a, b) => a[0] - b[0])) {
    latency.sort((a, b) => a - b);
    answer.sort((a, b) => a - b);
    console.log(
      `  second ${sec}: p50 ${fmt(percentile(latency, 50))} p99 ${fmt(percentile(latency, 99))} max ${fmt(latency.at(-1) ?? 0)}; API answer p99 ${fmt(percentile(answer, 99))}`,
    );
  }
}

/** A stage with a tag-recording receiver, the API and one worker running: what the live scenarios share. */
export interface Live {
  stage: Stage;
  sink: Sink;
  api: Proc & { base: string };
  worker: Proc;
}

export async function live(name: string, run: (live: Live) => Promise<void>): Promise<void> {
  const stage = await openStage(name);
  const sink = await startSink({ recordTags: true });
  const api = await startApiProcess(stage.env);
  const worker = startWorker(stage.env);
  try {
    await run({ stage, sink, api, worker });
  } finally {
    // Killed: a worker holding never-answered requests would wait out their timeout to stop. One
    // being profiled is stopped, so that it writes its profile.
    await worker.stop(process.env.BENCH_WORKER_PROFILE ? "SIGTERM" : "SIGKILL");
    await api.stop();
    await sink.close();
    await stage.close();
  }
}

const RATE = Number(process.env.BENCH_RATE ?? 200);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const LATENCY_WARM_SECONDS = Number(process.env.BENCH_LATENCY_WARM_SECONDS ?? 5);

export async function benchLatency(): Promise<void> {
  await live("latency", async ({ stage, sink, api, worker }) => {
    await seedWebhooks(stage.db, WEBHOOKS, { url: sink.url("ok"), repository: "bench/app" });
    await warmUp(api.base, stage.db, "bench/app", WEBHOOKS);
    // The same load for a few seconds first, unmeasured: compiled code, open connections and pools
    // at their size, as in a process that has been running (the first seconds of a cold one are
    // slower, and a backlog they make takes seconds to drain).
    const warming = await openLoop(api.base, "bench/app", RATE, LATENCY_WARM_SECONDS, 2_000_000);
    await waitFor(() => latencies(warming, sink.arrivals).length >= warming.size * WEBHOOKS, {
      ...WAIT,
      what: "the warm-up load",
    });
    const before = {
      worker: await worker.cpu(),
      api: await api.cpu(),
      postgres: await cpuOf("postgres"),
      redis: await cpuOf("redis-server"),
    };
    const sentAt = await openLoop(api.base, "bench/app", RATE, LATENCY_SECONDS, 1_000_000);
    const expected = sentAt.size * WEBHOOKS;
    await waitFor(() => latencies(sentAt, sink.arrivals).length >= expected, { ...WAIT, what: "every delivery" });
    const all = latencies(sentAt, sink.arrivals);
    traceBySecond(sentAt, sink.arrivals);
    const workerUs = ((await worker.cpu()) - before.worker) * 1e6;
    const apiUs = ((await api.cpu()) - before.api) * 1e6;
    const postgresUs = ((await cpuOf("postgres")) - before.postgres) * 1e6;
    const redisUs = ((await cpuOf("redis-server")) - before.redis) * 1e6;
    console.log(
      `latency: ingest -> delivered, ${RATE} pushes/s x ${WEBHOOKS} webhooks for ${LATENCY_SECONDS} s, open-loop sender, one API and one worker process`,
    );
    console.log(
      `  ${fmt(all.length)} deliveries: p50 ${fmt(percentile(all, 50), 1)} ms, p99 ${fmt(percentile(all, 99), 1)} ms (target < 100), max ${fmt(all.at(-1) ?? 0, 1)} ms`,
    );
    console.log(
      `  CPU: worker ${fmt(workerUs / expected)} µs per delivery, API ${fmt(apiUs / sentAt.size)} µs per push, Postgres ${fmt(postgresUs / expected)} and Redis ${fmt(redisUs / expected)} µs per delivery\n`,
    );
  });
}

/** One push through every webhook of a repository, so that the worker has loaded and connected. */
export async function warmUp(
  base: string,
  db: Parameters<typeof succeededCount>[0],
  repository: string,
  webhooks: number,
) {
  const before = await succeededCount(db);
  await ingest(base, push(repository, "warm-up"));
  await waitFor(async () => (await succeededCount(db)) >= before + webhooks, { ...WAIT, what: "the warm-up" });
}

const FAN_OUT = Number(process.env.BENCH_FAN_OUT ?? 10_000);

export async function benchFanOut(): Promise<void> {
  await live("fanout", async ({ stage, sink, api }) => {
    await seedWebhooks(stage.db, 1, { url: sink.url("ok"), repository: "bench/warm" });
    await warmUp(api.base, stage.db, "bench/warm", 1);
    await seedWebhooks(stage.db, FAN_OUT, { url: sink.url("ok"), repository: "bench/wide" });
    const sent = performance.now();
    await ingest(api.base, push("bench/wide", "t1"));
    await waitFor(() => (sink.arrivals.get(1)?.length ?? 0) >= FAN_OUT, { ...WAIT, what: "every delivery" });
    const arrived = (sink.arrivals.get(1) ?? []).sort((a, b) => a - b);
    const first = (arrived[0] as number) - sent;
    const last = (arrived.at(-1) as number) - sent;
    console.log(`fan-out: one push to ${fmt(FAN_OUT)} webhooks, one worker process already running`);
    console.log(
      `  first delivered after ${fmt(first)} ms (target < 300), all after ${fmt(last)} ms (target < 4,000)\n`,
    );
  });
}

const STUCK = Number(process.env.BENCH_STUCK ?? 5_000);
const ISOLATION_RATE = Number(process.env.BENCH_ISOLATION_RATE ?? 50);
const ISOLATION_SECONDS = Number(process.env.BENCH_ISOLATION_SECONDS ?? 15);

/**
 * Healthy webhooks' latency alone, then beside one webhook whose receiver takes requests and never
 * answers, with STUCK deliveries queued for it first.
 */
export async function benchIsolation(): Promise<void> {
  // A receiver of its own, as a dead endpoint is another host: it does not share the healthy
  // receiver's connection pool.
  const dead = await startSink();
  await live("isolation", async ({ stage, sink, api }) => {
    await seedWebhooks(stage.db, WEBHOOKS, { url: sink.url("ok"), repository: "bench/healthy" });
    await seedWebhooks(stage.db, 1, { url: dead.url("hang"), repository: "bench/stuck" });
    await warmUp(api.base, stage.db, "bench/healthy", WEBHOOKS);
    const alone = await healthyRun(api.base, sink, 0);
    const stuckQueued = performance.now();
    await ingestPushes(api.base, "bench/stuck", STUCK);
    const fannedOutMs = await untilWritten(stage.db, "bench/stuck", STUCK, stuckQueued);
    const beside = await healthyRun(api.base, sink, 1_000_000);
    const stuckAttempts = await stage.db.deliveryAttempt.count({
      where: { delivery: { webhook: { repository: "bench/stuck" } } },
    });
    console.log(
      `isolation: ${ISOLATION_RATE} pushes/s x ${WEBHOOKS} healthy webhooks for ${ISOLATION_SECONDS} s, alone, then beside one never-answering webhook with ${fmt(STUCK)} deliveries queued`,
    );
    console.log(`  alone:  ${fmt(alone.count)} delivered, p50 ${fmt(alone.p50, 1)} ms, p99 ${fmt(alone.p99, 1)} ms`);
    console.log(
      `  beside: ${fmt(beside.count)} delivered, p50 ${fmt(beside.p50, 1)} ms, p99 ${fmt(beside.p99, 1)} ms; ${(beside.p99 / alone.p99).toFixed(2)} x alone (target <= 2), ${beside.count === beside.expected ? "none lost" : `${fmt(beside.expected - beside.count)} not delivered within 2 minutes`}`,
    );
    console.log(
      `  the stuck webhook: its ${fmt(STUCK)} pushes ingested and their deliveries written in ${fmt(fannedOutMs / 1000, 1)} s, before the healthy run; ${fmt(stuckAttempts)} attempts timed out in the ${fmt((performance.now() - stuckQueued) / 1000, 1)} s\n`,
    );
  }).finally(() => dead.close());
}

/**
 * Waits until the deliveries of a repository's pushes are written (all but the few first attempts
 * in flight, which are written when answered), so that a run measured next is beside them, not
 * behind the fan-out of their events; returns the ms since `since`.
 */
export async function untilWritten(db: Stage["db"], repository: string, expected: number, since: number) {
  await waitFor(async () => (await db.delivery.count({ where: { webhook: { repository } } })) >= expected * 0.99, {
    ...WAIT,
    what: `the deliveries of ${repository}`,
  });
  return performance.now() - since;
}

/** Healthy webhooks' latencies under an open loop of `rate` pushes a second to bench/healthy. */
export interface HealthyRun {
  count: number;
  expected: number;
  p50: number;
  p99: number;
}

export async function healthyRun(
  base: string,
  sink: Sink,
  firstTag: number,
  { rate = ISOLATION_RATE, seconds = ISOLATION_SECONDS, webhooks = WEBHOOKS } = {},
): Promise<HealthyRun> {
  const sentAt = await openLoop(base, "bench/healthy", rate, seconds, firstTag);
  const expected = sentAt.size * webhooks;
  // At most two minutes after the last push: a starved run is reported, not waited for.
  await waitFor(() => latencies(sentAt, sink.arrivals).length >= expected, {
    timeoutMs: 120_000,
    intervalMs: 50,
    what: "every healthy delivery",
  }).catch(() => undefined);
  const all = latencies(sentAt, sink.arrivals);
  traceBySecond(sentAt, sink.arrivals);
  return { count: all.length, expected, p50: percentile(all, 50), p99: percentile(all, 99) };
}

/**
 * The throughput run with the worker SIGKILLed half way and a new one started: every delivery must
 * end succeeded after the takeover; the repeats (requests the killed worker had sent but not
 * booked) are counted.
 */
export async function benchCrash(): Promise<void> {
  // Jobs of a killed worker are taken over once their lock lapses (HOOKYARD_JOB_LOCK).
  await queued("crash", { HOOKYARD_JOB_LOCK: "5s" }, async (stage, sink, procs) => {
    const total = EVENTS * WEBHOOKS;
    procs.push(startWorker(stage.env));
    await untilSucceeded(stage.db, sink, total / 2);
    const atKill = await succeededCount(stage.db);
    await procs[0]?.stop("SIGKILL");
    const killedAt = performance.now();
    procs.push(startWorker(stage.env));
    await untilSucceeded(stage.db, sink, total);
    const seconds = (performance.now() - killedAt) / 1000;
    const notSucceeded = await stage.db.delivery.count({ where: { status: { not: "succeeded" } } });
    console.log(
      `crash: the throughput run (${fmt(total)} deliveries), its worker SIGKILLed with ${fmt(atKill)} succeeded, a new one started`,
    );
    console.log(
      `  all ${fmt(total)} succeeded ${fmt(seconds, 1)} s after the kill (${notSucceeded} not succeeded); ${fmt(sink.repeats())} sent twice (${((100 * sink.repeats()) / total).toFixed(2)} %), at most the ${CONCURRENCY} in flight\n`,
    );
  });
}
