import { loadConfig } from "@hookyard/config";
import { CUSTOM_HEADER_LIMITS, MAX_EVENT_PATTERNS, RATE_LIMIT_MAX } from "@hookyard/core";
import { describe, expect, it } from "vitest";
import { fields } from "../apps/api/src/services/webhooks.js";
import { WEBHOOK_LIMITS, webhookProblems } from "../apps/web/src/lib/webhook-rules.js";

/*
 * The web UI checks a webhook's fields before sending them (issue 28, item 2): its limits are the
 * API's, or the form would refuse what the API takes, or let through what it refuses.
 */
describe("web UI limits", () => {
  it("are the API's", () => {
    expect(WEBHOOK_LIMITS.nameLength).toBe(fields.name.maxLength);
    expect(WEBHOOK_LIMITS.urlLength).toBe((fields.url as unknown as { maxLength: number }).maxLength);
    expect(WEBHOOK_LIMITS.eventPatterns).toBe(MAX_EVENT_PATTERNS);
    expect(WEBHOOK_LIMITS.headerCount).toBe(CUSTOM_HEADER_LIMITS.count);
    expect(WEBHOOK_LIMITS.headerValueLength).toBe(CUSTOM_HEADER_LIMITS.valueLength);
    expect(WEBHOOK_LIMITS.headersTotalLength).toBe(CUSTOM_HEADER_LIMITS.totalLength);
    expect(WEBHOOK_LIMITS.rateLimitMax).toBe(RATE_LIMIT_MAX);
    // The template's bound is a setting: the form checks its default, the API's 400 says the rest.
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(WEBHOOK_LIMITS.templateBytes).toBe(
      loadConfig({ HOOKYARD_ENCRYPTION_KEYS: `k1:${key}` }).templateLimits.maxBytes,
    );
  });

  it("find what the API finds, in plain words", () => {
    const draft = { name: "ci", url: "https://ci.example.com/hook", events: ["TAG_PUSH"], headers: [], tlsCert: "" };
    expect(webhookProblems(draft)).toEqual({});
    for (const [change, field] of [
      [{ name: "n".repeat(201) }, "name"],
      [{ name: "  " }, "name"],
      [{ url: "ftp://ci.example.com/" }, "url"],
      [{ url: `https://ci.example.com/${"u".repeat(2048)}` }, "url"],
      [{ url: "https://ci.example.com/a b" }, "url"],
      [{ url: "https://ci.example.com/#x" }, "url"],
      [{ events: [] }, "events"],
      [{ headers: [{ name: "Content-Type", value: "x", hidden: false }] }, "header-0-name"],
      [{ headers: [{ name: "bad name", value: "x", hidden: false }] }, "header-0-name"],
      [{ headers: [{ name: "X-A", value: "line\nbreak", hidden: false }] }, "header-0-value"],
      [{ tlsCert: "not a certificate" }, "tlsCert"],
      [{ template: "  " }, "template"],
      [{ template: "é".repeat(8 * 1024 + 1) }, "template"],
      [{ rateLimit: 0 }, "rateLimit"],
      [{ rateLimit: 10_001 }, "rateLimit"],
      [{ rateLimit: "2.5" }, "rateLimit"],
    ] as const) {
      const problems = webhookProblems({ ...draft, ...change } as Parameters<typeof webhookProblems>[0]);
      expect(Object.keys(problems), JSON.stringify(change)).toEqual([field]);
      const body = { ...draft, ...change } as Record<string, unknown>;
      if (field === "rateLimit") {
        expect(fields.rateLimit.safeParse(Number(body.rateLimit)).success, "the API refuses it too").toBe(false);
      }
      if (field === "name" || field === "url" || field === "events") {
        expect(fields[field].safeParse(body[field]).success, `the API refuses ${JSON.stringify(change)} too`).toBe(
          false,
        );
      }
    }
    expect(webhookProblems({ ...draft, name: "n".repeat(200) })).toEqual({});
    expect(fields.name.safeParse("n".repeat(200)).success).toBe(true);
    // At the bounds: taken by both; an empty rate limit is none (null), a template of 16 KiB is taken.
    for (const rateLimit of [1, 10_000, ""]) expect(webhookProblems({ ...draft, rateLimit })).toEqual({});
    expect(fields.rateLimit.safeParse(10_000).success).toBe(true);
    expect(webhookProblems({ ...draft, template: "x".repeat(16 * 1024) })).toEqual({});
    expect(webhookProblems({ ...draft, template: null })).toEqual({});
  });
});
