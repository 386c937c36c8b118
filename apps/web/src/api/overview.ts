import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, query } from "./client";
import type { components } from "./schema";

/** GET /api/v1/overview's answer (the API's Overview schema). */
export type Overview = components["schemas"]["Overview"];

export const OVERVIEW_WINDOWS = ["15m", "1h", "6h", "24h"] as const;
export type OverviewWindow = (typeof OVERVIEW_WINDOWS)[number];

/** The overview, read again every 15 s while the page is open: it is a view of what happens now. */
export function useOverview(window: OverviewWindow) {
  return useQuery({
    queryKey: ["overview", window],
    queryFn: () => api.get<Overview>(`/overview${query({ window })}`),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
}
