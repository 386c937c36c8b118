/**
 * What marks the example values shipped in deploy/kubernetes/base/secret.yaml
 * ("CHANGE-ME-placeholder-..."). A Secret applied as it is would give every cluster the same
 * admin and ingest tokens, known to anyone who read the repository: a process refuses to start on
 * them, and on its placeholder encryption key (placeholders.test.ts reads secret.yaml, so the two stay in step). The README's and the
 * local compose file's examples carry no such mark and are taken.
 */
const PLACEHOLDER = /change-me-placeholder/i;

const SECRET_FILE = "deploy/kubernetes/base/secret.yaml";

/** How to make a value that is a secret, for each setting the Secret ships a placeholder of. */
const REMEDIES: Record<string, string> = {
  HOOKYARD_ADMIN_TOKEN: 'set it to a token of your own, e.g. HOOKYARD_ADMIN_TOKEN="$(openssl rand -hex 24)"',
  HOOKYARD_INGEST_TOKENS:
    'set it to tokens of your own, comma-separated, e.g. HOOKYARD_INGEST_TOKENS="$(openssl rand -hex 24)", and give each registry its token',
  HOOKYARD_ENCRYPTION_KEYS:
    'set it to a key of your own, e.g. HOOKYARD_ENCRYPTION_KEYS="key1:$(openssl rand -base64 32)", and keep it: stored secrets cannot be read without it',
  DATABASE_URL:
    "its password is a placeholder: set it to your Postgres's URL with the real password, postgresql://USER:PASSWORD@HOST:5432/hookyard",
};

/** The settings of `env` that hold a placeholder, each with what to do; empty when none does. */
export function placeholderProblems(env: Record<string, string | undefined>): Array<{ name: string; detail: string }> {
  return Object.entries(REMEDIES).flatMap(([name, remedy]) =>
    PLACEHOLDER.test(env[name] ?? "")
      ? [{ name, detail: `holds the placeholder of ${SECRET_FILE}, which is no secret: ${remedy}` }]
      : [],
  );
}
