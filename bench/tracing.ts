// What OpenTelemetry tracing costs the delivery path (decision 0016): the throughput run with the
// OTEL_* settings unset (tracing off, the default), then with them set to an OTLP/HTTP receiver on
// loopback, its default settings otherwise (protobuf, batches of 512 every 5 s, a queue of 2,048).
import { startReceiver } from "@hookyard/testkit";
import { throughput } from "./delivery.js";
import { fmt } from "./rig.js";

export async function benchTracing(): Promise<void> {
  const off = await throughput(1);
  const collector = await startReceiver(() => ({ status: 200 }));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
  let on: Awaited<ReturnType<typeof throughput>>;
  try {
    on = await throughput(1);
  } finally {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    await collector.close();
  }
  const bytes = collector.requests.reduce((sum, r) => sum + Buffer.byteLength(r.body), 0);
  console.log("tracing: the throughput run with tracing off (no OTEL_* settings), then exporting to an OTLP receiver");
  for (const [name, run] of [
    ["off", off],
    ["on ", on],
  ] as const) {
    console.log(
      `  ${name}  ${fmt(run.perSecond).padStart(7)} deliveries/s   worker ${run.cpuPerDelivery.workers} µs CPU per delivery   peak RSS ${fmt(run.peakRssMb[0] ?? 0)} MB`,
    );
  }
  console.log(
    `  on / off: ${(on.perSecond / off.perSecond).toFixed(2)} x the deliveries/s, ${on.cpuPerDelivery.workers - off.cpuPerDelivery.workers} µs more worker CPU per delivery; ${collector.requests.length} exports, ${fmt(Math.round(bytes / 1024))} KB\n`,
  );
}
