import { startTracing, type Tracing } from "@hookyard/telemetry";
import {
  type ExportedSpan,
  manifestPush,
  type Receiver,
  SPAN_KIND,
  startOtlpReceiver,
  startReceiver,
  waitFor,
} from "@hookyard/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

// The standard settings, as an operator sets them for a collector's OTLP/HTTP port; a short batch
// delay so that the test does not wait the default 5 s for spans.
function otelEnv(endpoint: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "100",
  };
}

describe("OpenTelemetry traces", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let collector: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let tracing: Tracing | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    await tracing?.shutdown();
    process.env = { ...saved };
    await receiver?.close();
    await collector?.close();
    await hookyard?.close();
  });

  it("follow one push from the ingest request through its event's job to every attempt, across API and worker", async () => {
    collector = await startOtlpReceiver();
    // The API runs in this process, the worker in its own, as in production: the trace crosses
    // Redis in the jobs' data.
    Object.assign(process.env, otelEnv(collector.url));
    tracing = await startTracing("hookyard-api");
    expect(tracing.enabled).toBe(true);
    receiver = await startReceiver((req) => ({ status: req.n === 1 ? 503 : 200 }));
    hookyard = await TestHookyard.start({ worker: false });
    const webhook = await hookyard.createWebhook({
      name: "ci",
      url: `${receiver.url}/hooks/secret-path-token`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    hookyard.spawnWorker(otelEnv(collector.url));

    const pushed = await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: "v1.4.2" }));
    expect(pushed.status).toBe(202);
    const [delivery] = await hookyard.settledDeliveries(webhook.id, 1, 20_000);
    expect(delivery?.status).toBe("succeeded");

    // The push's trace (the worker's own operational events, such as the webhook's creation, have
    // traces of their own): the API's two spans; the jobs of the push's two events (MANIFEST_PUSH,
    // matching nothing, and TAG_PUSH), the latter with the first attempt; the retry's job with the second.
    const pushTrace = await waitFor(() => collector.spans().find((s) => s.kind === SPAN_KIND.server)?.traceId, {
      timeoutMs: 15_000,
      what: "the ingest request's span",
    });
    const spans = await waitFor(
      () => {
        const all = collector.spans().filter((s) => s.traceId === pushTrace);
        return all.filter((s) => s.kind === SPAN_KIND.client).length >= 2 && all;
      },
      { timeoutMs: 15_000, what: "the worker's spans of the push at the collector" },
    );
    expect(spans).toHaveLength(7);
    const one = (kind: number, name: string, service: string): ExportedSpan => {
      const found = spans.filter((s) => s.kind === kind && s.name === name && s.service === service);
      expect(found, `${name} (${service})`).toHaveLength(1);
      return found[0] as ExportedSpan;
    };

    const server = one(SPAN_KIND.server, "POST /api/v1/ingest/distribution", "hookyard-api");
    expect(server.parentSpanId).toBe("");
    expect(server.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/api/v1/ingest/distribution",
      "http.response.status_code": 202,
    });
    const send = one(SPAN_KIND.producer, "send events", "hookyard-api");
    expect(send.parentSpanId).toBe(server.spanId);
    expect(send.attributes).toMatchObject({
      "messaging.system": "bullmq",
      "messaging.operation.type": "send",
      "messaging.batch.message_count": 2,
    });

    const eventJobs = spans.filter((s) => s.kind === SPAN_KIND.consumer && s.name === "process events");
    expect(eventJobs.map((s) => [s.service, s.parentSpanId])).toEqual([
      ["hookyard-worker", send.spanId],
      ["hookyard-worker", send.spanId],
    ]);
    const fanOut = eventJobs.find((s) => s.attributes["hookyard.event.type"] === "TAG_PUSH") as ExportedSpan;
    expect(fanOut.attributes).toMatchObject({
      "messaging.destination.name": "events",
      "messaging.operation.type": "process",
      "hookyard.event.type": "TAG_PUSH",
      "hookyard.deliveries": 1,
    });

    const posts = spans.filter((s) => s.kind === SPAN_KIND.client);
    const answered = (status: number) => posts.find((s) => s.attributes["http.response.status_code"] === status);
    // The first attempt is made by fan-out itself, inside the event's job (decision 0015).
    const refused = answered(503) as ExportedSpan;
    expect(refused.attributes["error.type"]).toBe("503");
    expect(refused.statusCode).toBe(2);
    expect(refused.parentSpanId).toBe(fanOut.spanId);
    // The retry is a delivery job's, which carries the event's trace.
    const retry = one(SPAN_KIND.consumer, "process deliveries", "hookyard-worker");
    expect(retry.parentSpanId).toBe(fanOut.spanId);
    expect(retry.attributes["hookyard.delivery.id"]).toBe(delivery?.id);
    expect(answered(200)?.parentSpanId).toBe(retry.spanId);
    for (const post of posts) {
      expect(post.attributes).toMatchObject({
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "server.port": Number(new URL(receiver.url).port),
        "hookyard.delivery.id": delivery?.id,
        "hookyard.webhook.id": webhook.id,
      });
      // A receiver's path often holds its token: it is not recorded.
      expect(JSON.stringify(post.attributes)).not.toContain("secret-path-token");
    }

    // Nothing of the trace reaches the receiver: its requests are the same with tracing on.
    for (const request of receiver.requests) expect(request.headers.traceparent).toBeUndefined();
  });
});
