import { describe, expect, it } from "vitest";
import { deliveryShard, MAX_DELIVERY_SHARDS } from "./delivery-shard.js";

describe("deliveryShard", () => {
  it("puts every webhook on shard 0 when there is one shard", () => {
    expect(deliveryShard("wh_01jq8z7k3cf0r9t6y2m5n4p3qa", 1)).toBe(0);
    expect(deliveryShard("", 1)).toBe(0);
  });

  it("is stable: these values are what queued jobs were placed by, so they must not change", () => {
    expect(
      ["wh_01jq8z7k3cf0r9t6y2m5n4p3qa", "wh_01jq8z7k3cf0r9t6y2m5n4p3qb", "wh_01jq8z7k3dzzzzzzzzzzzzzzzz"].map((id) =>
        deliveryShard(id, 4),
      ),
    ).toEqual([3, 0, 2]);
    expect(deliveryShard("wh_01jq8z7k3cf0r9t6y2m5n4p3qa", 4)).toBe(deliveryShard("wh_01jq8z7k3cf0r9t6y2m5n4p3qa", 4));
  });

  it.each([2, 3, 4, 7, 16, MAX_DELIVERY_SHARDS])(
    "spreads webhooks made one after the other over %i shards",
    (shards) => {
      const perShard = new Map<number, number>();
      for (let i = 0; i < 200 * shards; i++) {
        const shard = deliveryShard(sequentialWebhookId(i), shards);
        perShard.set(shard, (perShard.get(shard) ?? 0) + 1);
      }
      expect([...perShard.keys()].sort((a, b) => a - b)).toEqual([...Array(shards).keys()]);
      // Each shard within 30% of its fair share of 200.
      for (const n of perShard.values()) {
        expect(n).toBeGreaterThan(200 * 0.7);
        expect(n).toBeLessThan(200 * 1.3);
      }
    },
  );
});

/** Ids as Hookyard makes them (TypeID: "wh_", a millisecond timestamp, then random bits), here
 * made in one millisecond and differing only near the end: the hardest case for a weak hash. */
function sequentialWebhookId(i: number): string {
  return `wh_01jq8z7k3c${i.toString(32).padStart(8, "0")}m5n4p3qa`;
}
