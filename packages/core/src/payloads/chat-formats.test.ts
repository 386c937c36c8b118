import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, type EventType } from "../event-types.js";
import { CHAT_FORMATS } from "../payload-format.js";
import type { RegistryEvent } from "../registry-event.js";
import { sampleEvent } from "../sample-event.js";
import { CHAT_SHAPES } from "./chat-shapes.js";
import { renderPayload } from "./render.js";

/*
 * The chat formats against what each service documents for its incoming webhooks (chat-shapes.ts,
 * each written from the service's own page):
 * - slack: Slack, "Sending messages using incoming webhooks" and the Block Kit reference;
 * - teams: Microsoft Teams, "Create incoming webhooks with Workflows for Microsoft Teams" and the
 *   Adaptive Cards schema (TextBlock, FactSet);
 * - discord: Discord, "Execute Webhook" and "Embed Limits";
 * - googlechat: Google Chat, "Send messages to Google Chat with incoming webhooks".
 * Golden files: one body per (format, event type) in __golden__/<format>/<TYPE>.json, rendered from
 * the sample event of that type (the one a test send uses) in repository acme/web. A change to a
 * chat template shows up here as a diff to read; HOOKYARD_UPDATE_GOLDEN=1 writes them anew.
 */

const GOLDEN = new URL("./__golden__/", import.meta.url);
const AT = new Date("2026-11-23T10:00:00.123Z");
const SCOPE = { kind: "repository", namespace: "acme", repository: "acme/web" } as const;

function sample(type: EventType): RegistryEvent {
  return sampleEvent(type, SCOPE, `golden:${type}`, AT);
}

function render(format: (typeof CHAT_FORMATS)[number], event: RegistryEvent) {
  return renderPayload(format, event, "evt_01k9xq2c3r4s5t6v7w8x9y0z1e", {
    subject: { deliveryId: "dlv_01k9xq2c3r4s5t6v7w8x9y0z1b", webhook: { id: "wh_1", name: "chat" } },
  });
}

describe.each(CHAT_FORMATS)("the %s format", (format) => {
  const dir = new URL(`${format}/`, GOLDEN);

  it("has exactly one golden file per event type", () => {
    if (process.env.HOOKYARD_UPDATE_GOLDEN === "1") {
      mkdirSync(dir, { recursive: true });
      for (const type of EVENT_TYPES) {
        const body = JSON.parse(render(format, sample(type)).body);
        writeFileSync(new URL(`${type}.json`, dir), `${JSON.stringify(body, null, 2)}\n`);
      }
    }
    expect(existsSync(dir)).toBe(true);
    const files = readdirSync(dir).filter((name) => name.endsWith(".json"));
    expect(files.map((name) => name.replace(/\.json$/, "")).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES.map((type) => [type]))(
    "renders %s as its golden file, in the service's documented shape",
    (type) => {
      const rendered = render(format, sample(type));
      expect(rendered.contentType).toBe("application/json");
      const body = JSON.parse(rendered.body);
      expect(body).toStrictEqual(JSON.parse(readFileSync(new URL(`${type}.json`, dir), "utf8")));
      const shape = CHAT_SHAPES[format].safeParse(body);
      expect(shape.success ? [] : shape.error.issues).toEqual([]);
    },
  );

  it("names the event in words, with its repository, tag, short digest and actor", () => {
    const text = render(format, sample("TAG_PUSH")).body;
    expect(text).toContain("Tag pushed");
    expect(text).toContain("acme/web");
    expect(text).toContain("latest");
    expect(text).toContain("sha256:000000000000");
    expect(text).not.toContain(`sha256:${"0".repeat(64)}`);
    expect(text).toMatch(/hookyard(\\\\)?-test/);
  });

  it("keeps quotes, backslashes and markup in values as text: the JSON holds and no markup is injected", () => {
    const hostile: RegistryEvent = {
      ...sample("TAG_PUSH"),
      repository: "acme/we*b<@everyone>",
      tag: 'v1"},{"injected":true}\\',
      actor: "<!channel> *bold* _it_ `code` [link](http://example.com) & </script>",
    };
    const rendered = render(format, hostile);
    const body = JSON.parse(rendered.body);
    expect(CHAT_SHAPES[format].safeParse(body).success).toBe(true);
    expect(JSON.stringify(body)).not.toContain('"injected"');
    const strings = JSON.stringify(body);
    switch (format) {
      case "slack":
        // Slack's control characters are entities, and values sit in code spans.
        expect(strings).not.toContain("<!channel>");
        expect(strings).not.toContain("<@everyone>");
        expect(strings).toContain("&lt;!channel&gt;");
        expect(body.blocks[0].text.text).toContain("`acme/we*b&lt;@everyone&gt;`");
        break;
      case "discord":
        // Markdown escaped, and no mention parsed at all.
        expect(body.allowed_mentions).toEqual({ parse: [] });
        expect(body.embeds[0].fields[1]).toEqual({
          name: "Repository",
          value: "acme/we\\*b\\<@everyone\\>",
          inline: true,
        });
        expect(body.embeds[0].fields[4].value).toContain("\\*bold\\* \\_it\\_ \\`code\\` \\[link\\]");
        break;
      case "teams":
        expect(body.attachments[0].content.body[1].facts[4].value).toContain(
          "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\]",
        );
        break;
      case "googlechat":
        // Values are code spans: a backtick inside one cannot close it.
        expect(body.text).toContain("`<!channel> *bold* _it_ ˋcodeˋ [link](http://example.com) & </script>`");
        break;
    }
  });

  it("stays within the service's limits when values are long", () => {
    const long: RegistryEvent = {
      ...sample("SCAN_FAILED"),
      repository: `acme/${"r".repeat(3000)}`,
      tag: "t".repeat(5000),
      actor: "*".repeat(5000),
      data: { contents: { error: "e".repeat(50_000) } },
    };
    const shape = CHAT_SHAPES[format].safeParse(JSON.parse(render(format, long).body));
    expect(shape.success ? [] : shape.error.issues).toEqual([]);
  });
});

describe("a Teams card for a failed scan (the README's worked example)", () => {
  it("says what failed, where, and the scanner's error", () => {
    const failed: RegistryEvent = {
      ...sample("SCAN_FAILED"),
      tag: "1.4.2",
      data: { error: "layer 3 could not be read" },
    };
    const card = JSON.parse(render("teams", failed).body).attachments[0].content;
    expect(card.body[0].text).toBe("Scan failed in acme/web:1.4.2");
    expect(card.body[1].facts).toContainEqual({ title: "Error", value: "layer 3 could not be read" });
  });
});
