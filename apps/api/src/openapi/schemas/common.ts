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

/** A page of a list that also says how long the list is (db paging.ts countedPage). */
export function countedPageOf(item: z.ZodType) {
  return pageOf(item).extend({
    total: z.int().min(0).meta({ description: "rows of the whole list (not only this page), counted up to 10,000" }),
    totalCapped: z.boolean().meta({ description: "true when more than 10,000 rows match: total then says 10,000" }),
  });
}
