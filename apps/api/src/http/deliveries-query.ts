import type { DeliverySearch, PageQuery } from "@hookyard/db";
import { z } from "zod";
import { idCursor, pageFields } from "./paging.js";
import { isIdOf } from "./path-id.js";

const instant = z.iso.datetime({ offset: true, error: "must be an RFC 3339 time such as 2026-12-07T08:00:00Z" });

/** GET /api/v1/webhooks/:id/deliveries: a page of a webhook's deliveries, narrowed by any of these. */
export const deliveriesQuery = z
  .object({
    status: z.enum(["pending", "succeeded", "failed", "canceled"]).optional(),
    tag: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .meta({ description: "only deliveries of events of this tag (exact match)" }),
    eventId: z
      .string()
      .refine((text) => isIdOf("event", text), "must be an event id (evt_...)")
      .optional()
      .meta({ description: "only the delivery of this event" }),
    from: instant.optional().meta({ description: "only deliveries made at or after this time (RFC 3339)" }),
    to: instant.optional().meta({ description: "only deliveries made before this time (RFC 3339)" }),
    ...pageFields(idCursor("delivery")),
  })
  .superRefine((query, ctx) => {
    // An empty window is a mistake (the two swapped), not a search that found nothing.
    if (query.from && query.to && Date.parse(query.to) <= Date.parse(query.from)) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be later than from" });
    }
  });

/** The parsed query as the store takes it. */
export function deliverySearch(query: z.infer<typeof deliveriesQuery>): PageQuery & DeliverySearch {
  return {
    ...query,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}
