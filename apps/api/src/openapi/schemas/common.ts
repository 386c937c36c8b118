import { z } from "zod";

/** Dates leave Express as JSON.stringify writes them: ISO 8601 in UTC. */
export const timestamp = z.iso.datetime();
export const nullableTimestamp = timestamp.nullable();

/** The answers of list routes that return everything at once. */
export function itemsOf(item: z.ZodType) {
  return z.object({ items: z.array(item) });
}
