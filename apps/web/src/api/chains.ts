import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, PAGE_SIZE, query } from "./client";
import type { Chain, ChainInput, ChainList, ChainRun, ChainRunPage } from "./types";

export function useChains(repository: string, cursor: string | undefined) {
  return useQuery({
    queryKey: ["chains", repository, cursor ?? null],
    queryFn: () => api.get<ChainList>(`/chains${query({ repository, cursor, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
}

export function useChain(id: string) {
  return useQuery({ queryKey: ["chain", id], queryFn: () => api.get<Chain>(`/chains/${encodeURIComponent(id)}`) });
}

export function useChainRuns(chainId: string, cursor: string | undefined) {
  return useQuery({
    queryKey: ["chain-runs", chainId, cursor ?? null],
    queryFn: () =>
      api.get<ChainRunPage>(`/chains/${encodeURIComponent(chainId)}/runs${query({ cursor, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.items.some((r) => r.state === "running") ? 2000 : false),
  });
}

export function useChainRun(id: string) {
  return useQuery({
    queryKey: ["chain-run", id],
    queryFn: () => api.get<ChainRun>(`/chain-runs/${encodeURIComponent(id)}`),
    refetchInterval: (q) => (q.state.data?.state === "running" ? 2000 : false),
  });
}

function useInvalidateChains() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ["chains"] }),
      client.invalidateQueries({ queryKey: ["chain"] }),
      client.invalidateQueries({ queryKey: ["repositories"] }),
    ]);
}

export function useSaveChain() {
  const invalidate = useInvalidateChains();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: ChainInput }) =>
      id ? api.patch<Chain>(`/chains/${encodeURIComponent(id)}`, input) : api.post<Chain>("/chains", input),
    onSuccess: invalidate,
  });
}

export function useDeleteChain() {
  const invalidate = useInvalidateChains();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/chains/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}
