import { queueLabel } from "@hookyard/queues";
import { type Attributes, endSpan, type MaybeSpan, startProcessSpan, type TraceCarrier } from "@hookyard/telemetry";
import { DelayedError, type Job } from "bullmq";

/**
 * Runs a job's processing inside its consumer span (packages/telemetry), the child of the span the
 * job's data carries. A job put back to wait (DelayedError) has not failed. Nothing is made while
 * tracing is off.
 */
export async function inJobSpan<T>(
  job: Job<{ trace?: TraceCarrier }>,
  attributes: Attributes,
  run: (span: MaybeSpan) => Promise<T>,
): Promise<T> {
  const span = startProcessSpan(queueLabel(job.queueName), job.id, job.data.trace, attributes);
  if (!span) return run(undefined);
  try {
    const result = await run(span);
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error instanceof DelayedError ? undefined : error);
    throw error;
  }
}
