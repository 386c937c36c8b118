import { manifestPush } from "@hookyard/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INGEST_ROUTES, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/** Whatever a sender posts, the API answers with a 2xx or a 4xx error body: never a 500, never a crash. */
describe("ingest routes under generated input", () => {
  let hookyard: TestHookyard;
  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false });
  });
  afterAll(() => hookyard.close());

  const routes = INGEST_ROUTES;

  // Bodies near the real shapes find more than random JSON does: mutate a valid envelope.
  const valid = manifestPush({ repository: "acme/web", tag: "1.0" }) as unknown as Record<string, unknown>;
  const nearValid = fc
    .record({
      key: fc.constantFrom("events", "type", "target", "event_data", "contents", "repository"),
      value: fc.anything(),
    })
    .map(({ key, value }) => ({ ...valid, [key]: value }));
  const nativeLike = fc.record(
    {
      type: fc.oneof(fc.constantFrom("TAG_PUSH", "SCAN_COMPLETED", "REPO_CREATED", "PROMOTION"), fc.string()),
      repository: fc.oneof(fc.constant("acme/web"), fc.string()),
      namespace: fc.string(),
      tag: fc.string(),
      digest: fc.string(),
      id: fc.string(),
      occurredAt: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      contents: fc.anything(),
    },
    { requiredKeys: ["type"] },
  );
  const body = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string(),
    nearValid.map((v) => JSON.stringify(v)),
    nativeLike.map((v) => JSON.stringify({ events: [v] })),
    fc.object().map((v) => JSON.stringify(v)),
  );

  it.each(routes)("$path ($contentType) never answers 500", async ({ path, contentType }) => {
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const res = await hookyard.request("POST", path, { rawBody: raw, token: INGEST_TOKEN, contentType });
        expect([202, 400, 413, 415]).toContain(res.status);
        if (res.status !== 202) expect(res.json.error.message).toEqual(expect.any(String));
      }),
      { numRuns: 1_000 },
    );
    expect((await hookyard.request("GET", "/healthz", { token: null })).status).toBe(200);
  });
});
