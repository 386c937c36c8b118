// Secrets at rest (docs/decisions/0013): what opening a webhook's stored secret, previous secret and
// headers costs a delivery. `pnpm bench secrets`, or alone: `tsx bench/secrets.ts` (built or not).
// 1. openWebhookSecrets by itself, this process's CPU per webhook: values stored in clear (nothing to
//    do), encrypted and decrypted (a webhook not in the cache), encrypted and found in the cache.
// 2. loadDeliveriesForSending as the worker calls it (batches of 500, one statement each), this
//    process's CPU per delivery: webhooks stored in clear, then encrypted, cold and warm.
import { pathToFileURL } from "node:url";
import { EncryptionKeys } from "@hookyard/core";
import {
  createDb,
  type Db,
  loadDeliveriesForSending,
  newId,
  openWebhookSecrets,
  Prisma,
  sealWebhookSecrets,
} from "@hookyard/db";
import { createTestDatabase } from "@hookyard/testkit";
import { ENCRYPTION_KEYS } from "./rig.js";

/** As many as the cache holds with room to spare (decision 0013: about 13,000 such webhooks). */
const WEBHOOKS = 5_000;
const LOADED = 4_000;
const BATCH = 500;

/** A webhook as its row holds it: a whsec_ secret, no previous one, an Authorization and one more header. */
function plainWebhook(i: number) {
  return {
    id: newId("webhook"),
    secret: `whsec_${Buffer.alloc(32, i % 251).toString("base64")}`,
    previousSecret: null,
    headers: { authorization: `Bearer ${"t".repeat(40)}${i}`, "x-team": "platform" },
  };
}

function sealed(db: Db, webhook: ReturnType<typeof plainWebhook>) {
  return { ...webhook, ...sealWebhookSecrets(db, webhook.id, webhook) } as typeof webhook & { headers: unknown };
}

/** CPU time, not wall time: the figure holds on a machine busy with other work. */
function microsPer(count: number, run: () => void): number {
  const before = process.cpuUsage();
  run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

async function cpuMicrosPer(count: number, run: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

/** The median of `rounds` runs of `measure` (each on rows of its own where it needs them). */
function median(rounds: number, measure: (round: number) => number): number {
  const figures = Array.from({ length: rounds }, (_, round) => measure(round)).sort((x, y) => x - y);
  return figures[Math.floor(rounds / 2)] as number;
}

function openEach(db: Db, rows: ReadonlyArray<Parameters<typeof openWebhookSecrets>[1]>): void {
  for (const row of rows) openWebhookSecrets(db, row);
}

async function openAlone(db: Db): Promise<string[]> {
  const rounds = 5;
  const plain = Array.from({ length: WEBHOOKS }, (_, i) => plainWebhook(i));
  // Rows of their own for each round: a round that decrypts must find none of them in the cache.
  const stored = Array.from({ length: rounds + 1 }, () => plain.map((webhook) => sealed(db, webhook)));
  openEach(db, stored[rounds] as typeof plain); // JIT warm-up, on rows not timed
  const inClear = median(rounds, () => microsPer(WEBHOOKS, () => openEach(db, plain)));
  const cold = median(rounds, (round) => microsPer(WEBHOOKS, () => openEach(db, stored[round] as typeof plain)));
  const warm = median(rounds, () => microsPer(WEBHOOKS, () => openEach(db, stored[0] as typeof plain)));
  return [
    `openWebhookSecrets, CPU per webhook (${WEBHOOKS} webhooks: whsec_ secret, 2 headers; median of ${rounds})`,
    `  stored in clear (before 0013)        ${inClear.toFixed(2).padStart(7)} us`,
    `  encrypted, decrypted (cache missed)  ${cold.toFixed(2).padStart(7)} us`,
    `  encrypted, from the cache            ${warm.toFixed(2).padStart(7)} us`,
  ];
}

async function seed(db: Db, webhooks: Array<{ id: string; secret: string; headers: unknown }>, eventId: string) {
  await db.$executeRaw`
    INSERT INTO webhooks (id, name, url, events, repository, namespace, secret, headers)
    SELECT id, 'bench', 'http://127.0.0.1:9/', ARRAY['TAG_PUSH'], 'acme/web', 'acme', secret, headers::jsonb
    FROM unnest(${webhooks.map((w) => w.id)}::text[], ${webhooks.map((w) => w.secret)}::text[],
                ${webhooks.map((w) => JSON.stringify(w.headers))}::text[]) AS v(id, secret, headers)`;
  const deliveryIds = webhooks.map(() => newId("delivery"));
  await db.$executeRaw`
    INSERT INTO deliveries (id, webhook_id, event_id)
    SELECT * FROM unnest(${deliveryIds}::text[], ${webhooks.map((w) => w.id)}::text[],
                         ${webhooks.map(() => eventId)}::text[])`;
  return deliveryIds;
}

async function loadAll(db: Db, deliveryIds: string[]): Promise<void> {
  for (let from = 0; from < deliveryIds.length; from += BATCH) {
    const loaded = await loadDeliveriesForSending(db, deliveryIds.slice(from, from + BATCH));
    if (loaded.some((d) => d === null || d instanceof Error)) throw new Error("a delivery did not load");
  }
}

async function throughStore(db: Db): Promise<string[]> {
  const eventId = newId("event");
  await db.$executeRaw(Prisma.sql`
    INSERT INTO events (id, dedup_key, type, source, namespace, repository, tag, occurred_at, data)
    VALUES (${eventId}, ${eventId}, 'TAG_PUSH', 'native', 'acme', 'acme/web', 'v1', now(), '{}'::jsonb)`);
  const inClear = await seed(
    db,
    Array.from({ length: LOADED }, (_, i) => plainWebhook(i)),
    eventId,
  );
  const encrypted = await seed(
    db,
    Array.from({ length: LOADED }, (_, i) => sealed(db, plainWebhook(i))),
    eventId,
  );
  await loadAll(db, inClear); // warm-up: connections, JIT
  const rounds = 5;
  let clear = 0;
  let warm = 0;
  const cold = await cpuMicrosPer(LOADED, () => loadAll(db, encrypted));
  for (let round = 0; round < rounds; round++) {
    clear += await cpuMicrosPer(LOADED, () => loadAll(db, inClear));
    warm += await cpuMicrosPer(LOADED, () => loadAll(db, encrypted));
  }
  return [
    `loadDeliveriesForSending, this process's CPU per delivery (batches of ${BATCH}, ${LOADED} webhooks)`,
    `  webhooks stored in clear             ${(clear / rounds).toFixed(1).padStart(7)} us`,
    `  encrypted, first load (decrypting)   ${cold.toFixed(1).padStart(7)} us`,
    `  encrypted, cached (steady state)     ${(warm / rounds).toFixed(1).padStart(7)} us`,
  ];
}

export async function benchSecrets(): Promise<void> {
  const database = await createTestDatabase();
  const db = createDb(database.url, { encryptionKeys: EncryptionKeys.parse(ENCRYPTION_KEYS) });
  try {
    const lines = [...(await openAlone(db)), ...(await throughStore(db))];
    console.log(`secrets at rest: AES-256-GCM, node ${process.version}\n${lines.join("\n")}\n`);
  } finally {
    await db.$disconnect();
    await database.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { prepareTemplateDatabase } = await import("@hookyard/testkit");
  await prepareTemplateDatabase();
  await benchSecrets();
}
