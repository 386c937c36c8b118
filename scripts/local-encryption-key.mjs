// The encryption key of a local Hookyard (`pnpm start`, `pnpm secrets:reencrypt`) when
// HOOKYARD_ENCRYPTION_KEYS is not set: made once, kept in a file only its owner can read
// (.hookyard/encryption-key at the repository root, gitignored and kept out of image builds;
// HOOKYARD_ENCRYPTION_KEY_FILE names another), and handed to the processes in their environment.
// The key itself is never printed. Containers and clusters are given the setting instead
// (docs/decisions/0013).
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { newEncryptionKey } from "@hookyard/core";

const DEFAULT_FILE = fileURLToPath(new URL("../.hookyard/encryption-key", import.meta.url));

/**
 * Sets HOOKYARD_ENCRYPTION_KEYS in process.env (which child processes inherit) from the local key
 * file when it is not set; `create`: makes the file first if there is none. Returns null when the
 * setting was given; else the file, whether it was made now, and whether there is one.
 */
export function useLocalEncryptionKey({ create }) {
  if (process.env.HOOKYARD_ENCRYPTION_KEYS?.trim()) return null;
  const file = resolve(process.env.HOOKYARD_ENCRYPTION_KEY_FILE?.trim() || DEFAULT_FILE);
  let made = false;
  if (create) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      // "wx": never over an existing key (or one a second start made meanwhile).
      writeFileSync(file, `local:${newEncryptionKey()}\n`, { flag: "wx", mode: 0o600 });
      made = true;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
  }
  let value;
  try {
    value = readFileSync(file, "utf8").trim();
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
    return { file, made, found: false };
  }
  // Whoever can read it can read every webhook secret stored with it.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  process.env.HOOKYARD_ENCRYPTION_KEYS = value;
  return { file, made, found: true };
}
