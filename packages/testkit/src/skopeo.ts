import { execFile } from "node:child_process";

const SKOPEO_TIMEOUT_MS = 60_000;

/**
 * `--insecure-policy` makes skopeo build an accept-anything policy in memory instead of
 * reading /etc/containers/policy.json, so no policy file has to exist (or be written) at all.
 */
const GLOBAL_ARGS = ["--insecure-policy"];

function runSkopeo(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("skopeo", [...GLOBAL_ARGS, ...args], { timeout: SKOPEO_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) {
        const detail = stderr.trim() || err.message;
        reject(new Error(`skopeo ${args.join(" ")} failed: ${detail}`, { cause: err }));
        return;
      }
      resolve(stdout);
    });
  });
}

/** `ref` is a registry reference without scheme, e.g. `127.0.0.1:5000/acme/web:1.0`. */
const docker = (ref: string): string => `docker://${ref}`;

/**
 * Pushes the image tagged `tag` in an OCI layout to a plain-HTTP registry. Digests are kept as
 * built, so the registry's events carry the digests `buildOciLayout` returned.
 */
export async function skopeoCopy(layoutDir: string, tag: string, dest: string): Promise<void> {
  await runSkopeo([
    "copy",
    "--quiet",
    "--preserve-digests",
    "--dest-tls-verify=false",
    `oci:${layoutDir}:${tag}`,
    docker(dest),
  ]);
}

/** Fetches the manifest and the config blob; the registry reports both as `pull` events. */
export async function skopeoInspect(ref: string): Promise<unknown> {
  return JSON.parse(await runSkopeo(["inspect", "--tls-verify=false", docker(ref)]));
}

/**
 * Deletes a manifest. With a tag, skopeo first resolves it to a digest, and the registry then
 * drops the manifest and every tag pointing at it, so pass `host:port/repo@sha256:...` to be explicit.
 */
export async function skopeoDelete(ref: string): Promise<void> {
  await runSkopeo(["delete", "--tls-verify=false", docker(ref)]);
}
