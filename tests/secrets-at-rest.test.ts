import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApi } from "@hookyard/api";
import { StartupError } from "@hookyard/config";
import { EncryptionKeys } from "@hookyard/core";
import {
  countStoredSecrets,
  createDb,
  findWebhook,
  loadDeliveriesForSending,
  newId,
  reencryptWebhookSecrets,
  sealWebhookSecrets,
} from "@hookyard/db";
import { createLogger } from "@hookyard/logger";
import { manifestPush, type ReceivedRequest, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { startWorker } from "@hookyard/worker";
import pg from "pg";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";
import { pendingDelivery } from "./support/rows.js";

// Webhooks' secrets and headers at rest (docs/decisions/0013): what Postgres holds, what receivers
// still get, and rotating the key with the re-encryption command (built: pnpm -s build first).

const REENCRYPT = new URL("../apps/api/dist/reencrypt.js", import.meta.url).pathname;
const REENCRYPT_SCRIPT = new URL("../scripts/reencrypt.mjs", import.meta.url).pathname;

/** What a receiver does with the official Standard Webhooks library: true when it verifies. */
function verifies(secret: string, request: ReceivedRequest): boolean {
  try {
    const key = secret.startsWith("whsec_") ? secret : Buffer.from(secret);
    new Webhook(key, secret.startsWith("whsec_") ? undefined : { format: "raw" }).verify(
      request.body,
      request.headers as Record<string, string>,
    );
    return true;
  } catch {
    return false;
  }
}

/** The webhook's row as Postgres holds it: every column as text, and the three stored values. */
async function storedRow(hookyard: TestHookyard, id: string) {
  const [row] = await hookyard.db.$queryRaw<
    Array<{ text: string; secret: string | null; previous_secret: string | null; headers: unknown }>
  >`SELECT w::text AS text, secret, previous_secret, headers FROM webhooks w WHERE id = ${id}`;
  return row!;
}

/** Pushes one tag of acme/web and returns the request each of `paths` got for it. */
async function deliverOne(hookyard: TestHookyard, receiver: Receiver, tag: string, paths: string[]) {
  const before = new Map(paths.map((path) => [path, receiver.requests.filter((r) => r.path === path).length]));
  await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag }));
  return Promise.all(
    paths.map((path) =>
      waitFor(() => receiver.requests.filter((r) => r.path === path)[before.get(path) as number] ?? false, {
        timeoutMs: 30_000,
        what: `a delivery of ${tag} at ${path}`,
      }),
    ),
  );
}

function runNode(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("webhook secrets and headers are stored encrypted", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  it("after create and rotate the row holds no secret or header in clear; the API answers as before and receivers get both", async () => {
    const old = "whsec_3XrmTRXh2Gk4Vd0hTZtS7S1uDSuHcfLq";
    const credential = "Bearer credential-kept-at-rest-7f3a9c";
    const hook = await hookyard.createWebhook({
      name: "at-rest",
      url: `${receiver.url}/at-rest`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      secret: old,
      headers: { Authorization: credential, "X-Team": "team-kept-at-rest" },
    });
    const rotated = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/secret/rotate`, {
      body: { grace: "1h" },
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.json.secret as string;

    const row = await storedRow(hookyard, hook.id);
    for (const clear of [old, old.slice(6), fresh, fresh.slice(6), credential, "credential-kept-at-rest-7f3a9c"]) {
      expect(row.text).not.toContain(clear);
    }
    // Header names too: the whole set is one encrypted value.
    for (const clear of ["team-kept-at-rest", "authorization", "x-team"]) expect(row.text).not.toContain(clear);
    expect(row.secret).toMatch(/^enc:v1:test:/);
    expect(row.previous_secret).toMatch(/^enc:v1:test:/);
    expect(row.headers).toMatch(/^enc:v1:test:/);

    // The API shows what it showed before: no secret, credential-like header values masked.
    const shown = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}`);
    expect(shown.json).toMatchObject({
      hasSecret: true,
      previousSecretExpiresAt: rotated.json.previousSecretExpiresAt,
      headers: { authorization: "[redacted]", "x-team": "team-kept-at-rest" },
    });
    const listed = await hookyard.request("GET", "/api/v1/webhooks?repository=acme/web");
    expect(listed.json.items.find((w: { id: string }) => w.id === hook.id).headers).toEqual(shown.json.headers);

    // A delivery carries the header and both signatures, each verifying with its secret.
    const [delivered] = await deliverOne(hookyard, receiver, "at-rest-1", ["/at-rest"]);
    expect(delivered!.headers.authorization).toBe(credential);
    expect(delivered!.headers["x-team"]).toBe("team-kept-at-rest");
    expect(verifies(old, delivered!)).toBe(true);
    expect(verifies(fresh, delivered!)).toBe(true);

    // So does a test sent by the API, and a PATCH of the headers is stored encrypted too.
    const patched = await hookyard.request("PATCH", `/api/v1/webhooks/${hook.id}`, {
      body: { headers: { Authorization: "Bearer patched-credential-51c0" } },
    });
    expect(patched.json.headers).toEqual({ authorization: "[redacted]" });
    expect((await storedRow(hookyard, hook.id)).text).not.toContain("patched-credential-51c0");
    const before = receiver.requests.length;
    expect((await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`)).json.attempt.statusCode).toBe(200);
    const tested = receiver.requests[before]!;
    expect(tested.headers.authorization).toBe("Bearer patched-credential-51c0");
    expect(verifies(fresh, tested)).toBe(true);
  }, 90_000);

  it("a value copied into another webhook's row does not decrypt there, so it is never sent", async () => {
    const secret = "whsec_Zx0ZbWgkqYBn0AcR8aA3gnp9pJxp7VJt";
    const victim = await hookyard.createWebhook({
      name: "victim",
      url: `${receiver.url}/victim`,
      events: ["TAG_PUSH"],
      repository: "acme/other",
      secret,
    });
    const thief = await hookyard.createWebhook({
      name: "thief",
      url: `${receiver.url}/thief`,
      events: ["TAG_PUSH"],
      repository: "acme/other",
      headers: { "X-Loot": "nothing-yet" },
    });
    // Someone who can write the table but has no key moves the encrypted secret into a header.
    await hookyard.db.$executeRaw`
      UPDATE webhooks SET headers = to_jsonb((SELECT secret FROM webhooks WHERE id = ${victim.id}))
      WHERE id = ${thief.id}`;
    await expect(findWebhook(hookyard.db, thief.id)).rejects.toThrow(
      `webhook ${thief.id}: its headers cannot be read: it does not decrypt with key "test"`,
    );
    const [loaded] = await loadDeliveriesForSending(hookyard.db, [await pendingDelivery(hookyard.db, thief.id)]);
    expect(loaded).toBeInstanceOf(Error);
    expect((loaded as Error).message).toContain(`webhook ${thief.id}: its headers cannot be read`);
    expect((loaded as Error).message).not.toContain(secret);
  });
});

describe("rotating the encryption key: pnpm secrets:reencrypt", () => {
  const keyA = `a:${Buffer.alloc(32, 1).toString("base64")}`;
  const keyB = `b:${Buffer.alloc(32, 2).toString("base64")}`;
  let hookyard: TestHookyard;
  let receiver: Receiver;
  const dirs: string[] = [];
  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ env: { HOOKYARD_ENCRYPTION_KEYS: keyA } });
  });
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  it("moves values under key A and values stored in clear under key B; deliveries are signed with the same secrets", async () => {
    const webhook = (path: string, extra: object) =>
      hookyard.createWebhook({
        name: path,
        url: `${receiver.url}${path}`,
        events: ["TAG_PUSH"],
        repository: "acme/web",
        ...extra,
      });
    const s1 = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const h1 = "Bearer one-credential-0a1b2c";
    const one = await webhook("/one", { secret: s1, headers: { Authorization: h1 } });
    const s2 = "whsec_VpS2RSbFfPqKjhEuZ1dnD9Aa7tcJVcmF";
    const s2b = "a-raw-shared-secret-0123456789";
    const two = await webhook("/two", { secret: s2 });
    await hookyard.request("POST", `/api/v1/webhooks/${two.id}/secret/rotate`, { body: { secret: s2b, grace: "1h" } });
    // Stored before encryption existed: in clear, headers as an object.
    const s3 = "legacy-plain-shared-secret-98765";
    const h3 = "Bearer legacy-credential-3d4e5f";
    const three = await hookyard.db.webhook.create({
      data: {
        id: newId("webhook"),
        name: "legacy",
        url: `${receiver.url}/three`,
        events: ["TAG_PUSH"],
        repository: "acme/web",
        namespace: "acme",
        secret: s3,
        headers: { authorization: h3 },
      },
    });
    const four = await webhook("/four", {});

    // Values stored in clear are read as they are until re-encrypted.
    const paths = ["/one", "/two", "/three", "/four"];
    const before = await deliverOne(hookyard, receiver, "before", paths);
    expect(before[2]!.headers.authorization).toBe(h3);
    expect(verifies(s3, before[2]!)).toBe(true);

    // The command, as the API image runs it, with B first and A still there.
    const env = { DATABASE_URL: hookyard.database.url, HOOKYARD_ENCRYPTION_KEYS: `${keyB},${keyA}` };
    const first = await runNode(REENCRYPT, env);
    expect(first.stderr).toBe("");
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toContain('current key "b"; stored values before: 2 in clear, 4 under "a"');
    expect(first.stdout).toContain("4 webhooks read; 3 rewritten (6 values), 0 changed meanwhile, 0 unreadable");
    expect(first.stdout).toContain('done: every stored value is under "b"; no longer needed: "a"');
    for (const hook of [one, two, three]) {
      const row = await storedRow(hookyard, hook.id);
      for (const value of [row.secret, row.headers, row.previous_secret]) {
        if (value !== null && typeof value === "string") expect(value).toMatch(/^enc:v1:b:/);
      }
      for (const clear of [s1, s2, s2b, s3, h1, h3]) expect(row.text).not.toContain(clear);
    }
    expect((await storedRow(hookyard, three.id)).headers).toMatch(/^enc:v1:b:/);
    expect((await storedRow(hookyard, four.id)).headers).toEqual({});

    // Again, through pnpm secrets:reencrypt's script and a local key file: nothing left to do.
    const dir = mkdtempSync(join(tmpdir(), "hookyard-key-"));
    dirs.push(dir);
    writeFileSync(join(dir, "encryption-key"), `${keyB},${keyA}\n`, { mode: 0o600 });
    const again = await runNode(REENCRYPT_SCRIPT, {
      DATABASE_URL: hookyard.database.url,
      HOOKYARD_ENCRYPTION_KEYS: "",
      HOOKYARD_ENCRYPTION_KEY_FILE: join(dir, "encryption-key"),
    });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stderr).toContain(`using the local key in ${join(dir, "encryption-key")}`);
    expect(again.stdout).toContain("4 webhooks read; 0 rewritten (0 values)");

    // A process given A alone refuses to start: everything is under B now.
    const logger = createLogger({ service: "test", level: "error" });
    const onlyA = { ...hookyard.config, encryptionKeys: EncryptionKeys.parse(keyA) };
    await expect(startApi(onlyA, logger)).rejects.toThrow(StartupError);
    await expect(startWorker(onlyA, logger)).rejects.toThrow(/keys HOOKYARD_ENCRYPTION_KEYS does not hold: "b" \(6\)/);

    // Redeployed with B alone: every receiver gets its header and signatures from the same secrets.
    await hookyard.restartWith({ HOOKYARD_ENCRYPTION_KEYS: keyB });
    const after = await deliverOne(hookyard, receiver, "after", paths);
    expect(after[0]!.headers.authorization).toBe(h1);
    expect(verifies(s1, after[0]!)).toBe(true);
    expect(String(after[1]!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifies(s2b, after[1]!)).toBe(true);
    expect(verifies(s2, after[1]!)).toBe(true);
    expect(after[2]!.headers.authorization).toBe(h3);
    expect(verifies(s3, after[2]!)).toBe(true);
    expect(after[3]!.headers["webhook-signature"]).toBeUndefined();
  }, 120_000);
});

describe("re-encryption racing a change of the same webhook", () => {
  it("never writes a secret back over one changed meanwhile; the row's neighbours are re-encrypted", async () => {
    const keyOld = `old:${Buffer.alloc(32, 5).toString("base64")}`;
    const keyNew = `new:${Buffer.alloc(32, 6).toString("base64")}`;
    const hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_ENCRYPTION_KEYS: keyOld } });
    const db = createDb(hookyard.database.url, { encryptionKeys: EncryptionKeys.parse(`${keyNew},${keyOld}`) });
    const locker = new pg.Client({ connectionString: hookyard.database.url });
    try {
      const hook = (name: string, secret: string) =>
        hookyard.createWebhook({ name, url: "https://example.com/hook", events: ["TAG_PUSH"], secret });
      const raced = await hook("raced", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
      const calm = await hook("calm", "whsec_VpS2RSbFfPqKjhEuZ1dnD9Aa7tcJVcmF");
      // A writer (the API, say) holds the raced row; the re-encryption reads it, then waits to write.
      await locker.connect();
      await locker.query("BEGIN");
      await locker.query("SELECT id FROM webhooks WHERE id = $1 FOR UPDATE", [raced.id]);
      const running = reencryptWebhookSecrets(db);
      // Asked on a connection of its own: inside the locker's transaction the view would not change.
      await waitFor(
        async () => {
          const rows = await hookyard.db.$queryRaw<unknown[]>`
            SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
              AND query LIKE '%UPDATE webhooks w SET secret%'`;
          return rows.length > 0;
        },
        { what: "the re-encryption's UPDATE waiting for the row" },
      );
      // The writer gives the webhook a new secret (under the new key), and lets go.
      const changed = sealWebhookSecrets(db, raced.id, { secret: "a-raw-shared-secret-0123456789" }).secret;
      await locker.query("UPDATE webhooks SET secret = $1 WHERE id = $2", [changed, raced.id]);
      await locker.query("COMMIT");

      const report = await running;
      expect(report).toMatchObject({ webhooks: 2, rewritten: 1, values: 1, changedMeanwhile: 1, unreadable: [] });
      expect((await findWebhook(db, raced.id))?.secret).toBe("a-raw-shared-secret-0123456789");
      expect((await findWebhook(db, calm.id))?.secret).toBe("whsec_VpS2RSbFfPqKjhEuZ1dnD9Aa7tcJVcmF");
      expect(await countStoredSecrets(db)).toEqual([{ keyId: "new", values: 2 }]);
      // Run again: nothing left to do.
      expect(await reencryptWebhookSecrets(db)).toMatchObject({ rewritten: 0, changedMeanwhile: 0 });
    } finally {
      await locker.end().catch(() => {});
      await db.$disconnect();
      await hookyard.close();
    }
  }, 60_000);
});
