import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Secrets at rest (docs/decisions/0013): values encrypted with AES-256-GCM under one of a set of
 * named keys, each value carrying the id of its key, so keys can be added and retired one at a time.
 *
 *   enc:v1:<key id>:<iv, base64>:<tag, base64>:<ciphertext, base64>
 *
 * The iv is 12 random bytes, the tag GCM's 16. A `context` (what the value is, and whose) is
 * authenticated with it: a value copied into another field or another row does not decrypt there,
 * so nobody who can write the table but lacks the key can move a signing secret into a header that
 * is sent in clear to a receiver of their choosing.
 */

const PREFIX = "enc:v1:";
/** A stored value is taken for an encrypted one by this alone; anything else is read as it is. */
const ENCRYPTED = /^enc:v\d+:/;
const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why a setting of keys is refused; the message never holds key material. */
export class EncryptionKeysError extends Error {
  override name = "EncryptionKeysError";
}

/** Why a stored value could not be decrypted. */
export class DecryptionError extends Error {
  override name = "DecryptionError";
}

export const ENCRYPTION_KEYS_FORMAT = "comma-separated <key id>:<base64 of 32 bytes> entries";

/** Whether a stored value is an encrypted one (else it was stored before encryption, as it is). */
export function isEncrypted(stored: string): boolean {
  return ENCRYPTED.test(stored);
}

/** The id of the key a stored value was encrypted with; null for a value stored as it is. */
export function encryptionKeyIdOf(stored: string): string | null {
  return isEncrypted(stored) ? (stored.split(":")[2] ?? null) : null;
}

/** A new key, as the setting holds it: the base64 of 32 random bytes (`openssl rand -base64 32`). */
export function newEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

function decodeBase64(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, "base64");
  // Re-encoding must give the text back: Buffer ignores non-zero padding bits.
  return bytes.toString("base64") === text ? bytes : null;
}

/**
 * The keys of HOOKYARD_ENCRYPTION_KEYS: the first encrypts, every one decrypts. The key material is
 * held in a private field, so it shows neither in a log of the configuration nor in JSON.
 */
export class EncryptionKeys {
  readonly #keys: ReadonlyMap<string, Buffer>;
  /** The key new values are encrypted with. */
  readonly currentId: string;

  private constructor(keys: ReadonlyMap<string, Buffer>) {
    this.#keys = keys;
    this.currentId = keys.keys().next().value as string;
  }

  /** `id:base64,id:base64...`; throws EncryptionKeysError saying what is wrong (never a key). */
  static parse(text: string): EncryptionKeys {
    const keys = new Map<string, Buffer>();
    const entries = text.split(",").map((entry) => entry.trim());
    entries.forEach((entry, i) => {
      const where = `entry ${i + 1}`;
      const colon = entry.indexOf(":");
      if (colon < 0) throw new EncryptionKeysError(`${where} is not <key id>:<base64 key> (${ENCRYPTION_KEYS_FORMAT})`);
      const id = entry.slice(0, colon);
      if (!KEY_ID.test(id)) {
        throw new EncryptionKeysError(
          `${where}: the key id must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
        );
      }
      if (keys.has(id)) throw new EncryptionKeysError(`key id "${id}" is given twice`);
      const key = decodeBase64(entry.slice(colon + 1).trim());
      if (!key || key.length !== KEY_BYTES) {
        throw new EncryptionKeysError(
          `the key of "${id}" is not the base64 of ${KEY_BYTES} bytes (make one with: openssl rand -base64 32)`,
        );
      }
      keys.set(id, key);
    });
    return new EncryptionKeys(keys);
  }

  /** Every key id, the current one first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** `plaintext` encrypted with the current key, bound to `context`. */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#keys.get(this.currentId) as Buffer, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${PREFIX}${this.currentId}:${iv.toString("base64")}:${cipher.getAuthTag().toString("base64")}:${ciphertext.toString("base64")}`;
  }

  /** The plaintext of a value `encrypt` made for the same context; throws DecryptionError otherwise. */
  decrypt(stored: string, context: string): string {
    const parts = stored.split(":");
    if (isEncrypted(stored) && !stored.startsWith(PREFIX)) {
      throw new DecryptionError(`is encrypted in a form this version cannot read (${parts.slice(0, 2).join(":")})`);
    }
    if (!stored.startsWith(PREFIX) || parts.length !== 6) {
      throw new DecryptionError("is not of the form enc:v1:<key id>:<iv>:<tag>:<ciphertext>");
    }
    const [, , id, ivText, tagText, ciphertextText] = parts as [string, string, string, string, string, string];
    const key = this.#keys.get(id);
    if (!key) {
      throw new DecryptionError(
        `was encrypted with key "${id}", which HOOKYARD_ENCRYPTION_KEYS does not hold (it holds ${this.ids.map((k) => `"${k}"`).join(", ")}): add that key back`,
      );
    }
    const iv = decodeBase64(ivText);
    const tag = decodeBase64(tagText);
    const ciphertext = decodeBase64(ciphertextText);
    if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) {
      throw new DecryptionError("is not of the form enc:v1:<key id>:<iv>:<tag>:<ciphertext>");
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
    } catch {
      throw new DecryptionError(
        `does not decrypt with key "${id}": it was altered, or copied from another field or row, or the key under that id changed`,
      );
    }
  }
}
