import { type EncryptionKeys, isEncrypted } from "@hookyard/core";

/**
 * Characters of decrypted values (with the stored values they came from) kept in memory: about
 * 35,000 webhooks' secrets, or 15,000 webhooks' secrets and two headers, or 400 of the largest
 * header sets (8 KiB each, 11 KiB encrypted).
 */
const CACHE_BUDGET = 8_000_000;

/**
 * Seals values with the current key of HOOKYARD_ENCRYPTION_KEYS and opens them with any of its keys
 * (docs/decisions/0013). What was opened is kept per slot (a webhook's secret, its previous secret,
 * its headers) with the stored value it came from, and used only for that same stored value: a
 * changed secret or a value copied in from another row misses, and is decrypted (or refused) as
 * without a cache. Least recently used out first; a value stored before encryption (no enc: prefix)
 * is taken as it is.
 */
export class SecretBox {
  readonly #cache = new Map<string, { stored: string; value: unknown; size: number }>();
  #size = 0;

  constructor(
    /** null: a client that can read values stored in clear, and nothing else (some tests, tools). */
    readonly keys: EncryptionKeys | null,
    private readonly budget = CACHE_BUDGET,
  ) {}

  private keysOrThrow(): EncryptionKeys {
    if (this.keys) return this.keys;
    throw new Error("this database client has no encryption keys: pass HOOKYARD_ENCRYPTION_KEYS to createDb");
  }

  seal(plaintext: string, context: string): string {
    return this.keysOrThrow().encrypt(plaintext, context);
  }

  /**
   * The plaintext of a stored value, through `parse`; DecryptionError when it does not decrypt.
   * `slot`: where it is kept once opened, when values of one context have several places.
   */
  open<T>(stored: string, context: string, parse: (plaintext: string) => T, slot = context): T {
    if (!isEncrypted(stored)) return parse(stored);
    const hit = this.#cache.get(slot);
    if (hit?.stored === stored) {
      // Most recently used last: Map keeps insertion order.
      this.#cache.delete(slot);
      this.#cache.set(slot, hit);
      return hit.value as T;
    }
    const plaintext = this.keysOrThrow().decrypt(stored, context);
    const value = parse(plaintext);
    if (hit) {
      this.#cache.delete(slot);
      this.#size -= hit.size;
    }
    const size = slot.length + stored.length + plaintext.length;
    if (size <= this.budget) {
      this.#cache.set(slot, { stored, value, size });
      this.#size += size;
      for (const [oldest, entry] of this.#cache) {
        if (this.#size <= this.budget) break;
        this.#cache.delete(oldest);
        this.#size -= entry.size;
      }
    }
    return value;
  }
}
