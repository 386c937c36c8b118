import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A self-signed certificate for 127.0.0.1 and localhost (or the names given), made by openssl (Node
 * cannot issue one), for HTTPS receivers that the system's CAs do not trust: what a webhook's tlsCert
 * is for.
 */
export async function makeCertificate(
  commonName = "hookyard-test-receiver",
  altNames = "IP:127.0.0.1,DNS:localhost",
): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(join(tmpdir(), "hookyard-cert-"));
  try {
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${commonName}`,
      "-addext",
      `subjectAltName=${altNames}`,
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    const [key, cert] = await Promise.all([
      readFile(join(dir, "key.pem"), "utf8"),
      readFile(join(dir, "cert.pem"), "utf8"),
    ]);
    return { key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
