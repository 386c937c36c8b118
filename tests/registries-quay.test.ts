import { QUAY_EVENTS } from "@hookyard/core";
import { fixtureFiles, quayCases, type Receiver, readFixture, startReceiver, waitFor } from "@hookyard/testkit";
import { type CloudEvent, HTTP } from "cloudevents";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/*
 * Quay's webhook notifications, end to end: the golden fixtures of
 * packages/core/src/sources/__fixtures__/quay (quay/quay's own call sites; README.md there) posted
 * through both URL forms, `Authorization: Bearer` and the token as the last path segment (Quay's
 * webhook method can only call a bare URL), to webhooks in the dtr and cloudevents formats.
 */

const DIGEST = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
const BARE = "/api/v1/ingest/quay";
const WRONG_TOKEN = "not-the-ingest-token-4f2a9c";

const CASES = quayCases();
const fixture = (file: string) => readFixture("quay", file);
const withEvent = (path: string, event: string | null) =>
  event === null ? path : `${path}?event=${encodeURIComponent(event)}`;

/** The two ways Quay can be pointed at Hookyard; the second is the one Quay's UI can hold. */
const FORMS = [
  { form: "the bare URL with a Bearer header", path: BARE, token: INGEST_TOKEN as string | null },
  { form: "the token in the path", path: `${BARE}/${INGEST_TOKEN}`, token: null },
];

function post(hookyard: TestHookyard, path: string, body: unknown, token: string | null): Promise<ApiResponse> {
  return hookyard.request("POST", path, { body, token });
}

/** Every fixture becomes these deliveries (type and location), in both formats. */
const DELIVERED = [
  "POLL_MIRRORING /repositories/acme/alpine",
  "SCAN_COMPLETED /repositories/acme/web/tags/1.0",
  "SCAN_COMPLETED /repositories/acme/web/tags/1.0",
  "SCAN_COMPLETED /repositories/acme/web/tags/latest",
  `SCAN_COMPLETED /repositories/acme/web/manifests/${DIGEST}`,
  "TAG_PUSH /repositories/acme/team/api/tags/v3.1.0",
  "TAG_PUSH /repositories/acme/web/tags/1.0",
  "TAG_PUSH /repositories/acme/web/tags/2.0",
  "TAG_PUSH /repositories/acme/web/tags/latest",
].sort();

const CE_TYPES: Record<string, string> = {
  TAG_PUSH: "io.hookyard.tag.pushed",
  SCAN_COMPLETED: "io.hookyard.scan.completed",
  POLL_MIRRORING: "io.hookyard.mirror.polled",
};

/** Waits until the current minute has a few seconds left: Quay's dedup window is the minute. */
async function awayFromMinuteEnd(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe.each(FORMS)("Quay notifications through $form", ({ path, token }) => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const events = ["TAG_PUSH", "SCAN_COMPLETED", "POLL_MIRRORING"];
    await hookyard.createWebhook({ name: "dtr", url: `${receiver.url}/dtr`, events, namespace: "acme" });
    await hookyard.createWebhook({
      name: "ce",
      url: `${receiver.url}/ce`,
      events,
      namespace: "acme",
      format: "cloudevents",
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  it("turns every golden fixture into its events, delivered in the dtr and cloudevents formats", async () => {
    for (const c of CASES) {
      const res = await post(hookyard, withEvent(path, c.event), fixture(c.file), token);
      expect(res.status, `${c.file}: ${JSON.stringify(res.json)}`).toBe(202);
      expect(res.json, c.file).toEqual({ accepted: c.types.length, duplicates: 0, ignored: c.ignored });
    }
    const total = CASES.reduce((n, c) => n + c.types.length, 0);
    expect(total).toBe(DELIVERED.length);
    await receiver.waitForRequests(2 * total);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(2 * total);

    const dtr = receiver.requests.filter((r) => r.path === "/dtr");
    const dtrBodies = dtr.map((r) => r.json as { type: string; location: string; contents: any; createdAt: string });
    expect(dtrBodies.map((b) => `${b.type} ${b.location}`).sort()).toEqual(DELIVERED);
    for (const req of dtr) expect(req.headers["x-hookyard-event"]).toBe((req.json as { type: string }).type);

    const ce = receiver.requests
      .filter((r) => r.path === "/ce")
      .map((req) => {
        expect(req.headers["content-type"]).toMatch(/^application\/cloudevents\+json/);
        const parsed = HTTP.toEvent({ headers: req.headers, body: req.body });
        const event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<any>;
        expect(event.validate()).toBe(true);
        return event;
      });
    expect(ce.map((e) => e.type).sort()).toEqual(DELIVERED.map((d) => CE_TYPES[d.split(" ")[0] as string]).sort());

    // Quay sends no digest with a push: contents.digest is empty, imageName is by tag on Quay's host.
    const push = dtrBodies.find((b) => b.location === "/repositories/acme/web/tags/1.0" && b.type === "TAG_PUSH");
    expect(push?.contents).toEqual({
      namespace: "acme",
      repository: "web",
      tag: "1.0",
      digest: "",
      imageName: "quay.example.com/acme/web:1.0",
      os: "",
      architecture: "",
      author: "",
      pushedAt: push?.createdAt,
    });
    const untagged = dtrBodies.find((b) => b.location.includes("/manifests/"));
    expect(untagged?.contents).toMatchObject({
      tag: "",
      imageName: `quay.example.com/acme/web@${DIGEST}`,
      scanSummary: { critical: 0, major: 1, minor: 0, last_scan_status: 6 },
    });
    const mirrored = dtrBodies.find((b) => b.type === "POLL_MIRRORING");
    expect(mirrored?.contents).toMatchObject({
      namespace: "acme",
      repository: "alpine",
      direction: "poll",
      remote: { host: "docker.io", repository: "library/alpine", tag: "" },
    });
    const cePush = ce.find((e) => e.subject === "acme/team/api:v3.1.0");
    expect(cePush).toMatchObject({
      type: "io.hookyard.tag.pushed",
      source: "/repositories/acme/team/api",
      data: { namespace: "acme", repository: "team/api", tag: "v3.1.0", digest: "" },
    });
  });
});

describe("Quay ingest: duplicates, ignored events, bad input", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard?.close());

  it("answers a body re-sent within the minute as a duplicate, whichever URL form carried it", async () => {
    const body = { ...fixture("repo_push.v2.json"), updated_tags: ["dedup"] };
    await awayFromMinuteEnd();
    expect((await post(hookyard, BARE, body, INGEST_TOKEN)).json).toEqual({ accepted: 1, duplicates: 0, ignored: 0 });
    expect((await post(hookyard, BARE, body, INGEST_TOKEN)).json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
    const viaPath = await post(hookyard, `${BARE}/${INGEST_TOKEN}?event=repo_push`, body, null);
    expect(viaPath.json).toEqual({ accepted: 0, duplicates: 1, ignored: 0 });
  });

  it("counts events Hookyard has no type for as ignored, never refused", async () => {
    const unknown = [
      [{ repository: "acme/web", namespace: "acme", name: "web", something_new: true }, null],
      [fixture("quota_warning.json"), "quota_error"],
      [fixture("build_success.json"), "build_cancelled"],
      [{}, null],
    ] as const;
    for (const [body, event] of unknown) {
      const res = await post(hookyard, withEvent(`${BARE}/${INGEST_TOKEN}`, event), body, null);
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ accepted: 0, duplicates: 0, ignored: 1 });
    }
  });

  it("refuses bad input with 400 naming the field, on both forms, and queues nothing", async () => {
    const queuedBefore = await hookyard.queuedEventJobs();
    const pushed = fixture("repo_push.v2.json");
    const refused: Array<[unknown, string | null, string]> = [
      [[pushed], null, "body"],
      [{ ...pushed, repository: "Acme/Web" }, null, "repository"],
      [{ ...pushed, repository: undefined }, null, "repository"],
      [{ ...pushed, namespace: "other" }, null, "namespace"],
      [{ ...pushed, updated_tags: ["ok", "not ok"] }, null, "updated_tags[1]"],
      [
        { ...fixture("vulnerability_found.new-index.json"), vulnerability: { id: "CVE-1" } },
        null,
        "vulnerability.priority",
      ],
      [fixture("repo_mirror_sync_success.json"), "repo_push", "updated_tags"],
      [pushed, "repo_pushed", "query.event"],
      [{ ...pushed, homepage: "a\u0000b" }, null, "homepage"],
    ];
    for (const [body, event, field] of refused) {
      for (const [path, token] of [
        [BARE, INGEST_TOKEN],
        [`${BARE}/${INGEST_TOKEN}`, null],
      ] as const) {
        const res = await post(hookyard, withEvent(path, event), body, token);
        expect(res.status, `${field} via ${path === BARE ? "header" : "path"}`).toBe(400);
        expect(res.json.error.message.startsWith(`${field}: `), res.json.error.message).toBe(true);
        expect(JSON.stringify(res.json)).not.toContain(INGEST_TOKEN);
      }
    }
    expect(await hookyard.queuedEventJobs()).toBe(queuedBefore);
  });
});

describe("Quay ingest: the token in the path", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { LOG_LEVEL: "info" } });
  });
  afterAll(() => hookyard?.close());

  let pushes = 0;
  const body = () => ({ ...fixture("repo_push.v2.json"), updated_tags: [`t${++pushes}`] });

  it("takes the token as the last segment, in any case of the route and with a trailing slash", async () => {
    for (const path of [
      `${BARE}/${INGEST_TOKEN}`,
      `/API/V1/Ingest/Quay/${INGEST_TOKEN}/`,
      `${BARE}/${encodeURIComponent(INGEST_TOKEN)}?event=repo_push`,
    ]) {
      const res = await post(hookyard, path, body(), null);
      expect(res.status, path).toBe(202);
    }
  });

  it("answers 401 for a wrong or missing token, without repeating it; the path token wins over a header", async () => {
    const wrong = await post(hookyard, `${BARE}/${WRONG_TOKEN}`, body(), null);
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toEqual({ code: "unauthorized", message: "the ingest token is not valid" });
    expect((await post(hookyard, `${BARE}/${WRONG_TOKEN}`, body(), INGEST_TOKEN)).status).toBe(401);
    expect((await post(hookyard, BARE, body(), null)).status).toBe(401);
    expect((await post(hookyard, BARE, body(), WRONG_TOKEN)).status).toBe(401);
    // A token that a header could not carry is none; a prefix of the token is not it.
    for (const odd of [`${INGEST_TOKEN}%20x`, "%E0%A4%A", `${INGEST_TOKEN.slice(0, 10)}`, "%20"]) {
      const res = await post(hookyard, `${BARE}/${odd}`, body(), null);
      expect(res.status, odd).toBe(401);
    }
    expect(await hookyard.queuedEventJobs()).toBe(3);
  });

  it("never repeats the token in an error answer", async () => {
    const answers = [
      await hookyard.request("POST", `${BARE}/${INGEST_TOKEN}`, {
        token: null,
        rawBody: "{",
        contentType: "application/json",
      }),
      await hookyard.request("POST", `${BARE}/${INGEST_TOKEN}`, {
        token: null,
        rawBody: "x",
        contentType: "text/plain",
      }),
      await hookyard.request("GET", `${BARE}/${INGEST_TOKEN}`, { token: null }),
      await hookyard.request("POST", `${BARE}/${INGEST_TOKEN}/extra`, { token: null, body: {} }),
      await hookyard.request("POST", `${BARE}%2F${INGEST_TOKEN}`, { token: null, body: {} }),
      await post(hookyard, `${BARE}/${WRONG_TOKEN}`, body(), null),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 415, 404, 404, 404, 401]);
    for (const answer of answers) {
      const text = JSON.stringify(answer.json);
      expect(text).not.toContain(INGEST_TOKEN);
      expect(text).not.toContain(WRONG_TOKEN);
    }
    expect(answers[2]?.json.error.message).toBe("no route for GET /api/v1/ingest/quay/[redacted]");
  });

  it("never writes the token to a log line", async () => {
    await post(hookyard, `${BARE}/${INGEST_TOKEN}`, body(), null);
    const lines = await waitFor(() => {
      const quay = hookyard.logLines.filter((l) => l.message === "request" && /quay/i.test(String(l.path)));
      return quay.length >= 10 && quay;
    });
    for (const line of lines)
      expect(String(line.path)).toMatch(/^\/api\/v1\/ingest(\/quay(\/\[redacted\])*\/?|\/\[redacted\])$/i);
    expect(lines.some((l) => l.path === "/api/v1/ingest/quay/[redacted]" && l.status === 202)).toBe(true);
    const everything = JSON.stringify(hookyard.logLines);
    expect(everything).not.toContain(INGEST_TOKEN);
    expect(everything).not.toContain(WRONG_TOKEN);
  });
});

describe("Quay ingest under generated input", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard?.close());

  const files = fixtureFiles("quay");
  const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8})?$/);
  const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
  const hint = fc.option(fc.oneof(fc.constantFrom(...QUAY_EVENTS), fc.string({ maxLength: 20 })), { nil: null });

  const validPush = fc
    .record({ namespace: component, name: component, tags: fc.array(tag, { maxLength: 4 }) })
    .map(({ namespace, name, tags }) => ({
      repository: `${namespace}/${name}`,
      namespace,
      name,
      docker_url: `quay.example.com/${namespace}/${name}`,
      homepage: `https://quay.example.com/repository/${namespace}/${name}`,
      updated_tags: tags,
    }));

  const mutated = fc
    .record({
      file: fc.constantFrom(...files),
      key: fc.oneof(
        fc.constantFrom(
          "repository",
          "namespace",
          "name",
          "docker_url",
          "updated_tags",
          "tags",
          "vulnerability",
          "vulnerabilities",
          "message",
          "pruned_image_count",
        ),
        fc.string({ maxLength: 12 }),
      ),
      value: fc.oneof(fc.anything(), fc.constant(undefined)),
      event: hint,
    })
    .map(({ file, key, value, event }) => ({ body: { ...fixture(file), [key]: value }, event }));

  const viaPath = fc.boolean();

  it("answers valid generated pushes 202 with one event per tag", async () => {
    await fc.assert(
      fc.asyncProperty(validPush, viaPath, async (body, inPath) => {
        const res = inPath
          ? await post(hookyard, `${BARE}/${INGEST_TOKEN}`, body, null)
          : await post(hookyard, BARE, body, INGEST_TOKEN);
        expect(res.status, JSON.stringify(res.json)).toBe(202);
        const { accepted, duplicates, ignored } = res.json;
        expect(accepted + duplicates).toBe(body.updated_tags.length);
        expect(ignored).toBe(body.updated_tags.length === 0 ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });

  it("answers mutated fixtures and any JSON only 202 or 400, never echoing the token", async () => {
    const anyBody = fc.oneof(
      mutated,
      fc.record({ body: fc.jsonValue(), event: hint }),
      fc.record({ body: fc.object(), event: hint }),
    );
    await fc.assert(
      fc.asyncProperty(anyBody, viaPath, async ({ body, event }, inPath) => {
        const res = inPath
          ? await post(hookyard, withEvent(`${BARE}/${INGEST_TOKEN}`, event), body, null)
          : await post(hookyard, withEvent(BARE, event), body, INGEST_TOKEN);
        expect([202, 400]).toContain(res.status);
        if (res.status === 400) {
          expect(res.json.error.message).toEqual(expect.any(String));
          expect(res.json.error.message).not.toContain(INGEST_TOKEN);
        }
      }),
      { numRuns: 600 },
    );
    expect((await hookyard.request("GET", "/healthz", { token: null })).status).toBe(200);
  });
});
