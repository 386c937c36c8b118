import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buffer } from "node:stream/consumers";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";

export const OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

export interface OciLayoutOptions {
  /** Becomes `org.opencontainers.image.ref.name`, i.e. the `TAG` in `oci:DIR:TAG`. */
  tag: string;
  /** Path inside the layer -> file content. Defaults to one small file mentioning `seed`. */
  files?: Record<string, string>;
  /** Makes the default layer (and so every digest) unique per call. */
  seed?: string;
}

export interface OciLayoutDigests {
  manifestDigest: string;
  configDigest: string;
  layerDigest: string;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

// Fixed so that the same files always give the same digests; only `seed`/`files` vary them.
const EPOCH = new Date(0);

function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

async function tarFiles(files: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  const collected = buffer(archive);
  for (const [name, content] of Object.entries(files)) {
    archive.entry({ name, mode: 0o644, mtime: EPOCH, uid: 0, gid: 0 }, content);
  }
  archive.finalize();
  return collected;
}

async function writeBlob(dir: string, mediaType: string, data: Buffer): Promise<Descriptor> {
  const digest = sha256(data);
  await writeFile(join(dir, "blobs", "sha256", digest.slice("sha256:".length)), data);
  return { mediaType, digest, size: data.length };
}

function jsonBuffer(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

function imageConfig(diffId: string): unknown {
  return {
    created: EPOCH.toISOString(),
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: [diffId] },
  };
}

/**
 * Writes a one-layer OCI image layout into `dir` (created if missing), ready for
 * `skopeo copy oci:DIR:TAG ...`. A second call on the same dir replaces `index.json`.
 */
export async function buildOciLayout(dir: string, opts: OciLayoutOptions): Promise<OciLayoutDigests> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });

  const seed = opts.seed ?? `${process.pid}-${Date.now()}-${Math.random()}`;
  const files = opts.files ?? { "hello.txt": `hello from hookyard testkit, seed ${seed}\n` };
  const tar = await tarFiles(files);

  const layer = await writeBlob(dir, OCI_LAYER_MEDIA_TYPE, gzipSync(tar));
  const config = await writeBlob(dir, OCI_CONFIG_MEDIA_TYPE, jsonBuffer(imageConfig(sha256(tar))));
  const manifest = await writeBlob(
    dir,
    OCI_MANIFEST_MEDIA_TYPE,
    jsonBuffer({ schemaVersion: 2, mediaType: OCI_MANIFEST_MEDIA_TYPE, config, layers: [layer] }),
  );

  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    manifests: [{ ...manifest, annotations: { "org.opencontainers.image.ref.name": opts.tag } }],
  };
  await writeFile(join(dir, "index.json"), JSON.stringify(index));
  await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));

  return { manifestDigest: manifest.digest, configDigest: config.digest, layerDigest: layer.digest };
}
