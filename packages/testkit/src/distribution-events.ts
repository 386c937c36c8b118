import { randomUUID } from "node:crypto";

/** A manifest push as Distribution 2.8 sends it (notifications/event.go), one event per envelope. */
export function manifestPush(options: {
  repository: string;
  tag?: string;
  digest?: string;
  actor?: string;
  timestamp?: string;
}) {
  const digest = options.digest ?? `sha256:${randomUUID().replaceAll("-", "").padEnd(64, "0")}`;
  return {
    events: [
      {
        id: randomUUID(),
        timestamp: options.timestamp ?? "2026-11-23T10:00:00.123456789Z",
        action: "push",
        target: {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          size: 428,
          digest,
          length: 428,
          repository: options.repository,
          url: `http://127.0.0.1:5000/v2/${options.repository}/manifests/${digest}`,
          ...(options.tag ? { tag: options.tag } : {}),
        },
        request: {
          id: randomUUID(),
          addr: "127.0.0.1:40000",
          host: "127.0.0.1:5000",
          method: "PUT",
          useragent: "skopeo/1.9.3",
        },
        actor: options.actor ? { name: options.actor } : {},
        source: { addr: "registry:5000", instanceID: randomUUID() },
      },
    ],
  };
}
