import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, query } from "./client";
import type { Page, RepositorySummary } from "./types";

export function useRepositories(search: string) {
  return useQuery({
    queryKey: ["repositories", search],
    queryFn: () => api.get<Page<RepositorySummary>>(`/repositories${query({ search, limit: 200 })}`),
    // Keeps the list on screen while the next search is on its way, instead of flashing empty.
    placeholderData: keepPreviousData,
  });
}
