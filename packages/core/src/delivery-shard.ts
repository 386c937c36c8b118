/** The most delivery shards a Hookyard may run (HOOKYARD_DELIVERY_SHARDS). */
export const MAX_DELIVERY_SHARDS = 64;

/**
 * The delivery shard (0 to shards - 1) a webhook's deliveries are queued on. Every place that queues
 * or looks up a delivery job asks this, so it must never change for a given webhook and shard count:
 * FNV-1a over the id's UTF-16 code units, then murmur3's finaliser, which needs nothing of the
 * platform. The finaliser matters: FNV's low bits depend only on the low bits of each character, and
 * `% shards` reads mostly those; mixed, ids that share a long prefix (the kind and a timestamp) spread.
 */
export function deliveryShard(webhookId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < webhookId.length; i++) {
    hash ^= webhookId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % shards;
}
