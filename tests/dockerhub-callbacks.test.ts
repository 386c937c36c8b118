import { createHash } from "node:crypto";
import { freePort, manifestPush, type ReceivedRequest, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, TestHookyard } from "./support/hookyard.js";

/*
 * Issue 9, item 1: the dockerhub format and its callback_url. Docker Hub's example payload, from its
 * webhook documentation (shared/seeds/docker-hub-webhooks.txt); only the dockerfile is shortened.
 */
const HUB_EXAMPLE = {
  callback_url: "https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
  push_data: { pushed_at: 1417566161, pusher: "trustedbuilder", tag: "latest" },
  repository: {
    comment_count: 0,
    date_created: 1417494799,
    description: "",
    dockerfile: "#\n# BUILD\u0009\u0009docker build -t svendowideit/apt-cacher .\n...",
    full_description: "Docker Hub based automated build from a GitHub repo",
    is_official: false,
    is_private: true,
    is_trusted: true,
    name: "testhook",
    namespace: "svendowideit",
    owner: "svendowideit",
    repo_name: "svendowideit/testhook",
    repo_url: "https://registry.hub.docker.com/u/svendowideit/testhook/",
    star_count: 0,
    status: "Active",
  },
};

/** Docker Hub's example callback, with a target_url on loopback. */
const ACME_CALLBACK = {
  state: "success",
  description: "387 tests PASSED",
  context: "Continuous integration by Acme CI",
  target_url: "http://127.0.0.1:9/results/1",
};

/** Every key of a JSON value, as paths, with the JSON type of the value there. */
function shape(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object") return [`${prefix}: ${typeof value}`];
  return Object.entries(value).flatMap(([key, inner]) => shape(inner, prefix ? `${prefix}.${key}` : key));
}

interface HubBody {
  callback_url: string;
  push_data: { pushed_at: number; pusher: string; tag: string };
  repository: Record<string, unknown>;
}

describe("the dockerhub format and its callback_url", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let publicUrl: string;
  let tag = 0;
  let retryHook: { id: string };
  /** Every callback token a receiver was given: none may appear in a log line. */
  const tokens = new Set<string>();

  beforeAll(async () => {
    // The first try of each delivery to /retry fails, so that it is seen (and called back) twice.
    const tries = new Map<string, number>();
    receiver = await startReceiver((req) => {
      const id = String(req.headers["webhook-id"]);
      tries.set(id, (tries.get(id) ?? 0) + 1);
      return { status: req.path === "/retry" && tries.get(id) === 1 ? 503 : 200 };
    });
    // The callback_url is built from HOOKYARD_PUBLIC_URL, by default http://127.0.0.1:$PORT.
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    hookyard = await TestHookyard.start({ env: { PORT: String(port), LOG_LEVEL: "info" } });
    retryHook = await webhook("/retry");
  });
  afterAll(async () => {
    await hookyard?.close();
    await receiver?.close();
  });

  const webhook = (path: string) =>
    hookyard.createWebhook({
      name: path,
      url: `${receiver.url}${path}`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      format: "dockerhub",
    });

  /** Pushes a new tag of acme/web; returns the bodies the receiver got at `path` for it, once the
   * delivery has settled, and the delivery's id. */
  async function push(hookId: string, path: string, expected: number) {
    const mine = () => receiver.requests.filter((r) => r.path === path);
    const before = mine().length;
    const pushed = `t${++tag}`;
    expect(
      (await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: pushed, actor: "alice" }))).status,
    ).toBe(202);
    const requests = await waitFor(() => mine().length >= before + expected && mine().slice(before), {
      what: `${expected} requests at ${path}`,
    });
    const deliveries = await hookyard.settledDeliveries(hookId, tag);
    const deliveryId = String(requests[0]?.headers["x-hookyard-delivery"]);
    expect(deliveries.map((d) => d.id)).toContain(deliveryId);
    const bodies = requests.map((r: ReceivedRequest) => r.json as HubBody);
    for (const body of bodies) tokens.add(body.callback_url.split("/").at(-1) ?? "");
    return { bodies, deliveryId, tag: pushed };
  }

  const callBack = (url: string, body: unknown, options: { raw?: string; contentType?: string } = {}) =>
    hookyard.request("POST", url.slice(publicUrl.length), {
      token: null,
      ...(options.raw !== undefined ? { rawBody: options.raw, contentType: options.contentType } : { body }),
    });

  const delivery = async (id: string) => (await hookyard.request("GET", `/api/v1/deliveries/${id}`)).json;

  it("sends Docker Hub's body with every field of its example, and a callback_url on loopback per attempt", async () => {
    const { bodies, deliveryId, tag: pushed } = await push(retryHook.id, "/retry", 2);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(shape(body).sort()).toEqual(shape(HUB_EXAMPLE).sort());
      expect(body.callback_url).toMatch(new RegExp(`^${publicUrl}/api/v1/callbacks/[A-Za-z0-9_-]{43}$`));
      expect(body.push_data).toEqual({
        pushed_at: Math.floor(Date.parse("2026-11-23T10:00:00.123Z") / 1000),
        pusher: "alice",
        tag: pushed,
      });
      expect(body.repository).toMatchObject({
        name: "web",
        namespace: "acme",
        owner: "acme",
        repo_name: "acme/web",
        repo_url: "",
        status: "Active",
      });
    }
    const request = receiver.requests.find((r) => r.headers["x-hookyard-delivery"] === deliveryId);
    expect(request?.headers["content-type"]).toBe("application/json");
    // Each attempt has a URL of its own; only their hashes are stored.
    const [first, retry] = bodies.map((b) => b.callback_url) as [string, string];
    expect(first).not.toBe(retry);
    const stored = await hookyard.db.callbackToken.findMany({ where: { callback: { deliveryId } } });
    expect(stored.map((t) => t.tokenHash).sort()).toEqual(
      [first, retry]
        .map((url) =>
          createHash("sha256")
            .update(url.split("/").at(-1) ?? "")
            .digest("hex"),
        )
        .sort(),
    );

    // Before the receiver calls back: the delivery shows a callback waiting, expiring a TTL (24 h)
    // after the latest send (the retry's).
    const waiting = await delivery(deliveryId);
    expect(waiting.callback).toMatchObject({ state: null, description: null, receivedAt: null });
    const latestSent = Date.parse(waiting.attempts.at(-1).startedAt);
    const expiresIn = Date.parse(waiting.callback.expiresAt) - latestSent;
    expect(expiresIn).toBeGreaterThan(24 * 3_600_000 - 5_000);
    expect(expiresIn).toBeLessThanOrEqual(24 * 3_600_000);

    // The retry's URL reaches the delivery's callback; after that, any of its URLs is answered 409.
    const answered = await callBack(retry, ACME_CALLBACK);
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({ state: "success", deliveryId });
    const shown = await delivery(deliveryId);
    expect(shown.callback).toEqual({
      state: "success",
      description: "387 tests PASSED",
      context: "Continuous integration by Acme CI",
      targetUrl: "http://127.0.0.1:9/results/1",
      receivedAt: answered.json.receivedAt,
      expiresAt: waiting.callback.expiresAt,
    });
    for (const url of [first, retry]) {
      const again = await callBack(url, { state: "failure" });
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe("conflict");
    }
    expect((await delivery(deliveryId)).callback).toEqual(shown.callback);
  });

  it("refuses every invalid body with 400 naming the field, changing nothing, then takes a valid one", async () => {
    const { bodies, deliveryId } = await push(retryHook.id, "/retry", 2);
    const url = bodies[0]?.callback_url ?? "";
    const before = await delivery(deliveryId);
    const row = () => hookyard.db.callback.findUnique({ where: { deliveryId } });
    const rowBefore = await row();
    const cases: Array<[string, unknown, string]> = [
      ["state missing", { description: "x" }, "state"],
      ["state not a state", { state: "done" }, "state"],
      ["state of another case", { state: "SUCCESS" }, "state"],
      ["description of 256 characters", { state: "success", description: "d".repeat(256) }, "description"],
      ["context of 101 characters", { state: "success", context: "c".repeat(101) }, "context"],
      ["target_url ftp", { state: "success", target_url: "ftp://x" }, "target_url"],
      ["target_url not a URL", { state: "success", target_url: "not a url" }, "target_url"],
      ["an unknown field", { state: "success", colour: "red" }, "colour"],
      ["a camel-case targetUrl", { state: "success", targetUrl: "http://x.example/" }, "targetUrl"],
      ["state a number", { state: 1 }, "state"],
      ["state null", { state: null }, "state"],
      ["description a number", { state: "success", description: 387 }, "description"],
      ["context an array", { state: "success", context: ["ci"] }, "context"],
      ["target_url a boolean", { state: "success", target_url: true }, "target_url"],
      ["description null", { state: "failure", description: null }, "description"],
      ["an array", [ACME_CALLBACK], "body"],
      ["a NUL in description", { state: "success", description: "a\u0000b" }, "description"],
    ];
    const outcomes: string[] = [];
    for (const [what, body, field] of cases) {
      const res = await callBack(url, body);
      const message = String(res.json?.error?.message ?? "");
      const names = message.startsWith(field) && /^[:.[]/.test(message.slice(field.length));
      outcomes.push(`${what}: ${res.status} ${names ? `names ${field}` : message}`);
    }
    expect(outcomes).toEqual(cases.map(([what, , field]) => `${what}: 400 names ${field}`));

    // Not JSON at all: 400 for JSON that does not parse (or is not an object or array, as everywhere
    // in the API), 415 for another media type.
    for (const raw of ['{"state": "success"', "state=success", '"success"']) {
      const garbled = await callBack(url, null, { raw, contentType: "application/json" });
      expect([garbled.status, garbled.json.error.code], raw).toEqual([400, "malformed_json"]);
    }
    const form = await callBack(url, null, { raw: "state=success", contentType: "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
    const empty = await hookyard.request("POST", url.slice(publicUrl.length), { token: null });
    expect([empty.status, empty.json.error.message]).toEqual([400, expect.stringMatching(/^body/)]);
    const huge = await callBack(url, { state: "success", description: "x".repeat(5_000) });
    expect(huge.status).toBe(413);

    expect(await row()).toEqual(rowBefore);
    expect((await delivery(deliveryId)).callback).toEqual(before.callback);
    expect(before.callback.state).toBeNull();

    // At the limits, and with https, it is taken.
    const atLimits = {
      state: "error",
      description: "d".repeat(255),
      context: "c".repeat(100),
      target_url: "https://ci.acme.example/results/afd339c1c3d27",
    };
    expect((await callBack(url, atLimits)).status).toBe(200);
    expect((await delivery(deliveryId)).callback).toMatchObject({
      state: "error",
      description: atLimits.description,
      context: atLimits.context,
      targetUrl: atLimits.target_url,
    });
  });

  it("answers 404 for an unknown URL and 410 for an expired one", async () => {
    for (const token of ["A".repeat(43), "not-a-token", "A".repeat(44), "%2e%2e"]) {
      const res = await hookyard.request("POST", `/api/v1/callbacks/${token}`, { token: null, body: ACME_CALLBACK });
      expect(res.status, token).toBe(404);
    }
    const { bodies, deliveryId } = await push(retryHook.id, "/retry", 2);
    await hookyard.db.callback.update({ where: { deliveryId }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    for (const body of bodies) {
      const res = await callBack(body.callback_url, ACME_CALLBACK);
      expect([res.status, res.json.error.code]).toEqual([410, "gone"]);
    }
    expect((await delivery(deliveryId)).callback.state).toBeNull();
  });

  it("records exactly one of callbacks sent at once, whichever URL of the delivery they use", async () => {
    for (let round = 0; round < 3; round++) {
      const { bodies, deliveryId } = await push(retryHook.id, "/retry", 2);
      const urls = bodies.map((b) => b.callback_url);
      const answers: ApiResponse[] = await Promise.all(
        [...urls, ...urls].map((url, i) => callBack(url, { state: i % 2 ? "failure" : "success", context: `c${i}` })),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409]);
      const winner = answers.find((a) => a.status === 200);
      expect((await delivery(deliveryId)).callback).toMatchObject({
        state: winner?.json.state,
        receivedAt: winner?.json.receivedAt,
      });
    }
  });

  it("gives a test send of a dockerhub webhook a working callback_url", async () => {
    const hook = await webhook("/test-send");
    const sent = await hookyard.request("POST", `/api/v1/webhooks/${hook.id}/test`);
    expect(sent.status).toBe(200);
    expect(sent.json.attempt.statusCode).toBe(200);
    const request = receiver.requests.find((r) => r.path === "/test-send");
    const body = request?.json as HubBody;
    expect(shape(body).sort()).toEqual(shape(HUB_EXAMPLE).sort());
    expect(body.push_data).toMatchObject({ tag: "latest", pusher: "hookyard-test" });
    tokens.add(body.callback_url.split("/").at(-1) ?? "");
    expect((await callBack(body.callback_url, ACME_CALLBACK)).status).toBe(200);
    expect((await delivery(sent.json.deliveryId)).callback).toMatchObject({
      state: "success",
      context: ACME_CALLBACK.context,
    });
  });

  it("never writes a callback token to a log, however its path is spelled", async () => {
    const { bodies } = await push(retryHook.id, "/retry", 2);
    const url = bodies[0]?.callback_url ?? "";
    const token = url.split("/").at(-1) ?? "";
    const post = (path: string, body: unknown) => hookyard.request("POST", path, { token: null, body });
    // Express matches paths case-insensitively and takes a trailing slash; a typo is logged too.
    expect((await post(`/API/V1/CALLBACKS/${token}`, { state: "x" })).status).toBe(400);
    expect((await post(`/api/v1/callbacks/${token}/`, { state: "x" })).status).toBe(400);
    expect((await post(`/api/v1/callback/${token}`, ACME_CALLBACK)).status).toBe(404);
    expect((await callBack(url, ACME_CALLBACK)).status).toBe(200);

    const callbackLines = await waitFor(() => {
      const lines = hookyard.logLines.filter((l) => l.message === "request" && /callbacks?\//i.test(String(l.path)));
      return lines.length >= 4 && lines;
    });
    expect(callbackLines.length).toBeGreaterThanOrEqual(4);
    for (const line of callbackLines) expect(String(line.path)).toMatch(/\/\[redacted\]\/?$/i);
    expect(tokens.size).toBeGreaterThanOrEqual(10);
    const everything = JSON.stringify(hookyard.logLines);
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});
