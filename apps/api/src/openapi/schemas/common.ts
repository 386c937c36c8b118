import { z } from "zod";

/** Dates leave Express as JSON.stringify writes them: ISO 8601 in UTC. */
export const timestamp = z.iso.datetime();
export const nullableTimestamp = timestamp.nullable();

/** The answer of every list route: one page (http/paging.ts, db paging.ts). */
export function pageOf(item: z.ZodType) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().meta({ description: "pass as ?cursor= for the next page; null on the last" }),
  });
}
