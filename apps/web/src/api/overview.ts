import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, query } from "./client";
import type { components } from "./schema";

/** GET /api/v1/overview's answer (the API's Overview schema). */
export type Overview = components["schemas"]["Overview"];

export const OVERVIEW_WINDOWS = ["15m", "1h", "6h", "24h"] as const;
export type OverviewWindow = (typeof OVERVIEW_WINDOWS)[number];

/**
 * How often the page reads the overview again: it is a view of what happens now, but a long window
 * reads many rows (docs/performance.md), and its minute-by-minute change is small.
 */
export function refreshSeconds(window: OverviewWindow): number {
  return window === "15m" || window === "1h" ? 15 : 60;
}

/** The overview, read again every refreshSeconds while the page is open. */
export function useOverview(window: OverviewWindow) {
  return useQuery({
    queryKey: ["overview", window],
    queryFn: () => api.get<Overview>(`/overview${query({ window })}`),
    placeholderData: keepPreviousData,
    refetchInterval: refreshSeconds(window) * 1000,
  });
}
