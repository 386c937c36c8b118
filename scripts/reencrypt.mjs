// `pnpm secrets:reencrypt`: apps/api's re-encryption command (apps/api/src/reencrypt.ts) on this
// checkout, with pnpm start's local key when HOOKYARD_ENCRYPTION_KEYS is not set.
import { useLocalEncryptionKey } from "./local-encryption-key.mjs";

const local = useLocalEncryptionKey({ create: false });
if (local?.found)
  console.error(`hookyard-reencrypt: HOOKYARD_ENCRYPTION_KEYS is not set: using the local key in ${local.file}`);
await import("../apps/api/dist/reencrypt.js");
