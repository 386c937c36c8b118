import { createHash } from "node:crypto";
import type { ParseResult } from "@hookyard/core";
import { EVENT_JOB_OPTIONS, type Queues } from "@hookyard/queues";
import { badRequest, unavailable } from "../http/api-error.js";

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  ignored: number;
}

/** BullMQ ignores an add whose job id exists, so the dedup key (hashed: ids may not hold ':')
 * keeps a re-sent event from being queued twice while its job is kept. */
function jobIdFor(dedupKey: string): string {
  return `evt-${createHash("sha256").update(dedupKey).digest("hex").slice(0, 40)}`;
}

/** Enqueues parsed events; answers only once Redis has them, or fails with 503 so the sender retries. */
export async function ingest(queues: Queues, parsed: ParseResult): Promise<IngestAnswer> {
  if (!parsed.ok) throw badRequest(parsed.message);
  if (parsed.events.length > 0) {
    try {
      await queues.events.addBulk(
        parsed.events.map((event) => ({
          name: event.type,
          data: { event },
          opts: { ...EVENT_JOB_OPTIONS, jobId: jobIdFor(event.dedupKey) },
        })),
      );
    } catch {
      throw unavailable("the event queue (Redis) is unavailable; retry later");
    }
  }
  return { accepted: parsed.events.length, duplicates: 0, ignored: parsed.ignored };
}
