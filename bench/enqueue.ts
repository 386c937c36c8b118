import { manifestPush } from "@hookyard/testkit";

/** Publishes `count` tagged pushes to bench/app through the ingest route, 50 envelopes at a time. */
export async function runIngest(baseUrl: string, token: string, count: number): Promise<void> {
  // A tagged push is two events (MANIFEST_PUSH and TAG_PUSH); the webhook takes TAG_PUSH only.
  const envelope = () => manifestPush({ repository: "bench/app", tag: "latest", timestamp: new Date().toISOString() });
  for (let sent = 0; sent < count; sent += 50) {
    const batch = Array.from({ length: Math.min(50, count - sent) }, () =>
      fetch(`${baseUrl}/api/v1/ingest/distribution`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(envelope()),
      }).then((r) => {
        if (r.status !== 202) throw new Error(`ingest answered ${r.status}`);
      }),
    );
    await Promise.all(batch);
  }
}
