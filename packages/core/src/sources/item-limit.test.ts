import { readFixture } from "@hookyard/testkit";
import { describe, expect, it } from "vitest";
import { MAX_ITEMS_PER_REQUEST, type ParseResult } from "../registry-event.js";
import { parseDistributionEnvelope } from "./distribution.js";
import { parseHarborWebhook } from "./harbor.js";
import { parseQuayNotification } from "./quay.js";

const RECEIVED = "2026-11-23T10:00:30.123Z";
const DIGEST = "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4";

/** `count` copies of the list's item, each made different by its index. */
const items = <T>(count: number, item: (i: number) => T) => Array.from({ length: count }, (_, i) => item(i));

/** Each list a source turns into events, as a parser of `count` items. */
const LISTS: Array<{ list: string; parse: (count: number) => ParseResult }> = [
  {
    list: "events",
    parse: (count) => {
      const [event] = readFixture<{ events: Array<Record<string, unknown>> }>(
        "distribution-v3",
        "v3.1-manifest-push-tag.json",
      ).events;
      return parseDistributionEnvelope({ events: items(count, (i) => ({ ...event, id: `event-${i}` })) });
    },
  },
  {
    list: "event_data.resources",
    parse: (count) =>
      parseHarborWebhook(
        {
          type: "PUSH_ARTIFACT",
          occur_at: 1_795_428_000,
          event_data: {
            resources: items(count, (i) => ({ digest: DIGEST, tag: `1.${i}` })),
            repository: { repo_full_name: "acme/web" },
          },
        },
        "application/json",
      ),
  },
  {
    list: "tags",
    parse: (count) =>
      parseQuayNotification(
        {
          ...readFixture<Record<string, unknown>>("quay", "vulnerability_found.new-index.json"),
          tags: items(count, (i) => `1.${i}`),
        },
        RECEIVED,
      ),
  },
  {
    list: "updated_tags",
    parse: (count) =>
      parseQuayNotification(
        {
          ...readFixture<Record<string, unknown>>("quay", "repo_push.v2.json"),
          updated_tags: items(count, (i) => `1.${i}`),
        },
        RECEIVED,
      ),
  },
];

describe(`at most ${MAX_ITEMS_PER_REQUEST} items of a body become events`, () => {
  it.each(LISTS)("$list: takes the limit, refuses one more naming the list", ({ list, parse }) => {
    const atLimit = parse(MAX_ITEMS_PER_REQUEST);
    expect(atLimit.ok, atLimit.ok ? "" : atLimit.message).toBe(true);
    const over = parse(MAX_ITEMS_PER_REQUEST + 1);
    expect(over.ok ? null : over.field).toBe(list);
  });
});
