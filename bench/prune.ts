// pnpm bench prune: what retention costs on 5 million attempt rows (docs/decisions/0007).
// 1. Dropping daily partitions of a partitioned copy of the rows: what partitioning would cost.
// 2. Batched deletes (what the workers run: db stores/prune.ts) of the same third, while the real API
//    and worker deliver at a steady rate: delivery latency, ingest -> received, with and without.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startApi } from "@hookyard/api";
import { loadConfig } from "@hookyard/config";
import { createDb, type Db, NOTHING_PRUNED, newId, type PruneCounts, pruneBatch } from "@hookyard/db";
import { createLogger } from "@hookyard/logger";
import { createTestDatabase, deleteQueueKeys, manifestPush } from "@hookyard/testkit";
import { startWorker } from "@hookyard/worker";
import { ENCRYPTION_KEYS } from "./rig.js";

const ATTEMPTS = Number(process.env.BENCH_PRUNE_ATTEMPTS ?? 5_000_000);
const PER_DELIVERY = 5;
const DAYS = 30;
/** Retention in the measurement: the oldest third of the rows is past it. */
const RETENTION_DAYS = 20;
const BATCH = 1_000;
const ADMIN = "bench-admin-token-0123456789";
const INGEST = "bench-ingest-token-0123456789";

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(2)} ms  p99 ${percentile(sorted, 0.99).toFixed(2)} ms  max ${(sorted.at(-1) ?? 0).toFixed(2)} ms  (${sorted.length} samples)`;
}

/** One million deliveries of one million events over 30 days, five attempts each, with real-sized headers and bodies. */
async function seed(db: Db, webhookId: string): Promise<void> {
  const deliveries = ATTEMPTS / PER_DELIVERY;
  // One day in DAYS per row, round robin, so every day holds the same share.
  await db.$executeRawUnsafe(`
    INSERT INTO events (id, dedup_key, type, source, namespace, repository, tag, occurred_at, received_at, data)
    SELECT 'evt_seed' || i, 'seed-' || i, 'TAG_PUSH', 'native', 'bench', 'bench/app', 'v' || i,
           now() - ((i % ${DAYS}) || ' days')::interval, now() - ((i % ${DAYS}) || ' days')::interval, '{}'
    FROM generate_series(1, ${deliveries}) AS i`);
  await db.$executeRawUnsafe(`
    INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, created_at, completed_at)
    SELECT 'dlv_seed' || i, '${webhookId}', 'evt_seed' || i, 'succeeded', ${PER_DELIVERY},
           now() - ((i % ${DAYS}) || ' days')::interval, now() - ((i % ${DAYS}) || ' days')::interval + interval '1 second'
    FROM generate_series(1, ${deliveries}) AS i`);
  await db.$executeRawUnsafe(`
    INSERT INTO delivery_attempts (id, delivery_id, n, started_at, duration_ms, status_code, request_headers,
                                   response_headers, response_body)
    SELECT 'att_seed' || j, 'dlv_seed' || ((j - 1) / ${PER_DELIVERY} + 1), (j - 1) % ${PER_DELIVERY} + 1,
           now() - ((((j - 1) / ${PER_DELIVERY} + 1) % ${DAYS}) || ' days')::interval, 12, 200,
           '{"content-type":"application/json","user-agent":"Hookyard/0.1.0","webhook-id":"msg_x","webhook-timestamp":"1764460000","webhook-signature":"[redacted]"}',
           '{"content-type":"text/plain","server":"receiver","date":"Sun, 29 Nov 2026 12:00:00 GMT"}',
           repeat('ok ', 100)
    FROM generate_series(1, ${ATTEMPTS}) AS j`);
  await db.$executeRawUnsafe("VACUUM ANALYZE events, deliveries, delivery_attempts");
}

/** The same attempts in a table partitioned by day, and the time to drop the days past retention. */
async function measurePartitions(db: Db): Promise<void> {
  await db.$executeRawUnsafe(
    "CREATE TABLE attempts_by_day (LIKE delivery_attempts INCLUDING DEFAULTS) PARTITION BY RANGE (started_at)",
  );
  for (let day = 0; day <= DAYS; day++) {
    await db.$executeRawUnsafe(
      `CREATE TABLE attempts_day_${day} PARTITION OF attempts_by_day
       FOR VALUES FROM (date_trunc('day', now()) - interval '${day} days') TO (date_trunc('day', now()) - interval '${day - 1} days')`,
    );
  }
  await db.$executeRawUnsafe(
    "CREATE TABLE attempts_day_old PARTITION OF attempts_by_day FOR VALUES FROM (MINVALUE) TO (date_trunc('day', now()) - interval '30 days')",
  );
  const copied = performance.now();
  await db.$executeRawUnsafe("INSERT INTO attempts_by_day SELECT * FROM delivery_attempts");
  await db.$executeRawUnsafe("CREATE INDEX ON attempts_by_day (delivery_id)");
  console.log(
    `partitioned copy: ${ATTEMPTS} rows in ${DAYS + 2} partitions, copied in ${((performance.now() - copied) / 1000).toFixed(1)} s`,
  );

  const dropMs: number[] = [];
  for (let day = RETENTION_DAYS; day <= DAYS; day++) {
    const t = performance.now();
    await db.$executeRawUnsafe(`DROP TABLE attempts_day_${day}`);
    dropMs.push(performance.now() - t);
  }
  console.log(`dropping ${dropMs.length} daily partitions (a third of the rows), each: ${summary(dropMs)}`);
  await db.$executeRawUnsafe("DROP TABLE attempts_by_day");
}

/** Ingest -> received latency of single pushes at `rate` a second for `seconds`. */
async function deliveryLatency(base: string, received: Map<string, number>, rate: number, seconds: number) {
  const sent = new Map<string, number>();
  const total = rate * seconds;
  for (let i = 0; i < total; i++) {
    const tag = `lat-${Date.now()}-${i}`;
    sent.set(tag, performance.now());
    void fetch(`${base}/api/v1/ingest/distribution`, {
      method: "POST",
      headers: { authorization: `Bearer ${INGEST}`, "content-type": "application/json" },
      body: JSON.stringify(manifestPush({ repository: "bench/app", tag })),
    });
    await sleep(1000 / rate);
  }
  const deadline = Date.now() + 30_000;
  while ([...sent.keys()].some((tag) => !received.has(tag)) && Date.now() < deadline) await sleep(100);
  const samples = [...sent].flatMap(([tag, at]) => {
    const got = received.get(tag);
    return got === undefined ? [] : [got - at];
  });
  return { samples, lost: total - samples.length };
}

export async function benchPrune(): Promise<void> {
  console.log(
    `\nretention: ${ATTEMPTS} attempt rows of ${ATTEMPTS / PER_DELIVERY} deliveries over ${DAYS} days, a third past retention`,
  );
  const database = await createTestDatabase();
  const queuePrefix = `hy-bench-prune-${process.pid}`;
  const db = createDb(database.url);
  const webhookId = newId("webhook");
  try {
    const seeded = performance.now();
    await db.webhook.create({
      data: {
        id: webhookId,
        name: "seed",
        url: "http://127.0.0.1:9/",
        events: ["TAG_PUSH"],
        repository: "bench/app",
        namespace: "bench",
      },
    });
    await seed(db, webhookId);
    console.log(`seeded in ${((performance.now() - seeded) / 1000).toFixed(0)} s`);

    await measurePartitions(db);

    const received = new Map<string, number>();
    const sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const tag = (JSON.parse(Buffer.concat(chunks).toString()) as { contents?: { tag?: string } }).contents?.tag;
        if (tag) received.set(tag, performance.now());
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
    const env = {
      DATABASE_URL: database.url,
      PORT: "0",
      HOOKYARD_ADMIN_TOKEN: ADMIN,
      HOOKYARD_INGEST_TOKENS: INGEST,
      HOOKYARD_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
      HOOKYARD_ALLOW_PRIVATE_TARGETS: "true",
      HOOKYARD_QUEUE_PREFIX: queuePrefix,
      HOOKYARD_WORKER_METRICS_PORT: "0",
      // The worker's own pruner finds nothing to do: this process prunes, when it is asked to.
      HOOKYARD_RETENTION: "3650d",
      HOOKYARD_BODY_RETENTION: "3650d",
      LOG_LEVEL: "warn",
    };
    const config = loadConfig(env);
    const logger = createLogger({ service: "bench", level: "warn" });
    const api = await startApi(config, logger);
    const worker = await startWorker(config, logger);
    const base = `http://127.0.0.1:${api.port}`;
    await fetch(`${base}/api/v1/webhooks`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "latency",
        url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`,
        events: ["TAG_PUSH"],
        repository: "bench/app",
      }),
    });
    try {
      const quiet = await deliveryLatency(base, received, 50, 15);
      // The pruning the workers run (db stores/prune.ts), started beside the same load.
      const totals: PruneCounts = { ...NOTHING_PRUNED };
      const batchMs: number[] = [];
      let pruneSeconds = 0;
      const pruned = (async () => {
        const started = performance.now();
        const before = new Date(Date.now() - RETENTION_DAYS * 86_400_000 + 3_600_000);
        for (;;) {
          const t = performance.now();
          // Bodies are left alone (bodiesBefore = before): this measures deleting whole rows.
          const counts = await pruneBatch(db, { before, bodiesBefore: before, batch: BATCH });
          batchMs.push(performance.now() - t);
          for (const kind of Object.keys(totals) as Array<keyof PruneCounts>) totals[kind] += counts[kind];
          if (!Object.values(counts).some((n) => n >= BATCH)) break;
          await sleep(20);
        }
        pruneSeconds = (performance.now() - started) / 1000;
      })();
      const busy = await deliveryLatency(base, received, 50, 15);
      await pruned;
      const attemptsGone = totals.deliveries * PER_DELIVERY;
      console.log(
        `batched deletes (batch ${BATCH}, 20 ms apart): ${totals.deliveries} deliveries with ${attemptsGone} attempts and ${totals.events} events in ${pruneSeconds.toFixed(1)} s (${(attemptsGone / pruneSeconds).toFixed(0)} attempts/s)`,
      );
      console.log(`  one batch of each kind: ${summary(batchMs)}`);
      console.log("delivery, ingest -> received, 50 pushes/s for 15 s:");
      console.log(`  no pruning:    ${summary(quiet.samples)}, ${quiet.lost} lost`);
      console.log(`  while pruning: ${summary(busy.samples)}, ${busy.lost} lost`);
      const p99 = (samples: number[]) =>
        percentile(
          [...samples].sort((a, b) => a - b),
          0.99,
        );
      console.log(
        `  p99 while pruning / without: ${(p99(busy.samples) / p99(quiet.samples)).toFixed(2)} (target <= 1.5)`,
      );
    } finally {
      await worker.close();
      await api.close();
      sink.close();
    }
  } finally {
    await db.$disconnect();
    await deleteQueueKeys("redis://127.0.0.1:6379", queuePrefix);
    await database.drop();
  }
}
