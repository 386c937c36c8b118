import { manifestPush, type ReceivedRequest, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/** What a receiver does with the official Standard Webhooks library: true when it verifies. */
function verifies(secret: string, request: ReceivedRequest, options?: { format: "raw" }): boolean {
  try {
    new Webhook(options ? Buffer.from(secret) : secret, options).verify(
      request.body,
      request.headers as Record<string, string>,
    );
    return true;
  } catch {
    return false;
  }
}

describe("signatures a receiver verifies with the standardwebhooks library, and secret rotation", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let tag = 0;
  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  /** Pushes one tag and returns the request the webhook at `path` got for it. */
  async function deliverOne(path: string, actor?: string): Promise<ReceivedRequest> {
    const mine = () => receiver.requests.filter((r) => r.path === path);
    const before = mine().length;
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: `t${++tag}`, actor }));
    return waitFor(() => mine()[before] ?? false, { what: `a delivery at ${path}` });
  }

  const webhook = (path: string, secret: string) =>
    hookyard.createWebhook({
      name: path,
      url: `${receiver.url}${path}`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      secret,
    });

  it("signs so that the library verifies with the secret, and with no other secret or body", async () => {
    const whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    await webhook("/whsec", whsec);
    const signed = await deliverOne("/whsec");
    expect(verifies(whsec, signed)).toBe(true);
    expect(verifies("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", signed)).toBe(false);
    // A receiver that changed one byte of the body must not verify it.
    expect(verifies(whsec, { ...signed, body: signed.body.replace("TAG_PUSH", "TAG_PULL") })).toBe(false);
  });

  it("verifies from the raw bytes of a body with non-ASCII text, as the README's receiver reads it", async () => {
    const whsec = "whsec_Q2hhbmdlZEJ5dGVzQXJlTm90VGhlU2FtZUJ5dGVz";
    await webhook("/bytes", whsec);
    const signed = await deliverOne("/bytes", "Zoë Åkesson 佐藤");
    expect(signed.body).toContain("Zoë Åkesson 佐藤");
    const bytes = Buffer.from(signed.body);
    const headers = signed.headers as Record<string, string>;
    expect(new Webhook(whsec).verify(bytes, headers)).toMatchObject({ type: "TAG_PUSH" });
    // Decoding each chunk of the body on its own breaks a character split between two chunks.
    const split = bytes.indexOf(Buffer.from("佐")) + 1;
    const decodedByChunk = bytes.subarray(0, split).toString() + bytes.subarray(split).toString();
    expect(() => new Webhook(whsec).verify(decodedByChunk, headers)).toThrow("No matching signature found");
  });

  it("rotates: both secrets sign during the grace period, each verifying alone; then the new one only", async () => {
    const old = "whsec_3XrmTRXh2Gk4Vd0hTZtS7S1uDSuHcfLq";
    const hook = await webhook("/rotated", old);
    const rotated = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/secret/rotate`, {
      body: { grace: "1h" },
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.json.secret as string;
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Date.parse(rotated.json.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(59 * 60_000);
    const shown = await hookyard.request("GET", `/api/v1/webhooks/${hook.id}`);
    expect(JSON.stringify(shown.json)).not.toContain(fresh);
    expect(shown.json.previousSecretExpiresAt).toBe(rotated.json.previousSecretExpiresAt);

    const during = await deliverOne("/rotated");
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifies(old, during)).toBe(true);
    expect(verifies(fresh, during)).toBe(true);

    // Rotating again with no grace: only the newest signs, the first two no longer verify.
    const again = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/secret/rotate`, {
      body: { secret: "a-raw-shared-secret-0123456789", grace: "0s" },
    });
    expect(again.json).toEqual({ secret: "a-raw-shared-secret-0123456789", previousSecretExpiresAt: null });
    const after = await deliverOne("/rotated");
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(verifies("a-raw-shared-secret-0123456789", after, { format: "raw" })).toBe(true);
    expect(verifies(fresh, after)).toBe(false);
    expect(verifies(old, after)).toBe(false);
  });

  it("a secret set by PATCH replaces every other at once", async () => {
    const hook = await webhook("/patched", "whsec_Zx0ZbWgkqYBn0AcR8aA3gnp9pJxp7VJt");
    await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/secret/rotate`, { body: { grace: "1h" } });
    const replaced = await hookyard.request("PATCH", `/api/v1/webhooks/${hook.id}`, {
      body: { secret: "whsec_VpS2RSbFfPqKjhEuZ1dnD9Aa7tcJVcmF" },
    });
    expect(replaced.json.previousSecretExpiresAt).toBeNull();
    const got = await deliverOne("/patched");
    expect(String(got.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(verifies("whsec_VpS2RSbFfPqKjhEuZ1dnD9Aa7tcJVcmF", got)).toBe(true);
  });

  it("refuses a bad grace or secret naming the field, changing nothing, and a foreign webhook is 404", async () => {
    const hook = await webhook("/refused", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    const before = await hookyard.db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
    for (const [body, message] of [
      [{ grace: "forever" }, /^grace: must be a duration/],
      [{ grace: "31d" }, /^grace: .*at most 30d/],
      [{ secret: "short" }, /^secret: must be/],
      [{ graceful: true }, /^graceful: is not a known field/],
    ] as const) {
      const res = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/secret/rotate`, { body });
      expect(res.status).toBe(400);
      expect(res.json.error.message).toMatch(message);
    }
    expect(await hookyard.db.webhook.findUniqueOrThrow({ where: { id: hook.id } })).toEqual(before);
    const nobody = await hookyard.request("POST", "/api/v1/users", { body: { name: "nobody" } });
    const foreign = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/secret/rotate`, {
      token: nobody.json.token,
    });
    expect(foreign.status).toBe(404);
  });
});
