import { randomUUID } from "node:crypto";
import {
  createDb,
  loadDeliveryForSending,
  newId,
  recordAttempt,
  recordEventAndFanOut,
} from "./packages/db/src/index.ts";
import { createTestDatabase, prepareTemplateDatabase } from "./packages/testkit/src/index.ts";

await prepareTemplateDatabase();
const t = await createTestDatabase();
const db = createDb(t.url, { poolSize: 20 });
const user = await db.user.create({ data: { id: newId("user"), name: "u" } });
await db.webhook.create({
  data: {
    id: newId("webhook"),
    name: "w",
    url: "http://x",
    events: ["TAG_PUSH"],
    repository: "a/b",
    namespace: "a",
    authorId: user.id,
  },
});
const ev = () => ({
  type: "TAG_PUSH" as const,
  dedupKey: randomUUID(),
  source: "distribution" as const,
  namespace: "a",
  repository: "a/b",
  tag: "1",
  digest: "sha256:x",
  actor: null,
  occurredAt: new Date().toISOString(),
  data: {},
});
async function par<T>(n: number, conc: number, fn: (i: number) => Promise<T>) {
  let i = 0;
  const out: T[] = [];
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (i < n) {
        const k = i++;
        out[k] = await fn(k);
      }
    }),
  );
  return out;
}
let s = performance.now();
const fan = await par(2000, 50, () => recordEventAndFanOut(db, ev()));
console.log("fanOut/s", (2000 / ((performance.now() - s) / 1000)).toFixed(0));
const ids = fan.flatMap((f) => f.pendingDeliveryIds);
s = performance.now();
await par(ids.length, 100, (k) => loadDeliveryForSending(db, ids[k]!));
console.log("load/s", (ids.length / ((performance.now() - s) / 1000)).toFixed(0));
s = performance.now();
await par(ids.length, 100, (k) =>
  recordAttempt(db, {
    deliveryId: ids[k]!,
    startedAt: new Date(),
    durationMs: 1,
    statusCode: 200,
    error: null,
    requestHeaders: { a: "b" },
    responseHeaders: {},
    responseBody: "",
    succeeded: true,
    final: false,
    maxAttempts: 8,
  }),
);
console.log("record/s", (ids.length / ((performance.now() - s) / 1000)).toFixed(0));
s = performance.now();
await par(2000, 100, () => db.$queryRaw`SELECT 1`);
console.log("select1/s", (2000 / ((performance.now() - s) / 1000)).toFixed(0));
await db.$disconnect();
await t.drop();
