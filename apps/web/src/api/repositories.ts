import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, PAGE_SIZE, query } from "./client";
import type { RepositoryList } from "./types";

/** One page of the repositories whose name holds `search`, by name. */
export function useRepositories(search: string, cursor: string | undefined, limit = PAGE_SIZE) {
  return useQuery({
    queryKey: ["repositories", search, cursor ?? null, limit],
    queryFn: () => api.get<RepositoryList>(`/repositories${query({ search, cursor, limit })}`),
    // Keeps the list on screen while the next search is on its way, instead of flashing empty.
    placeholderData: keepPreviousData,
  });
}
