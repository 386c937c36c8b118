import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, PAGE_SIZE, query } from "./client";
import type { CreatedUser, Grant, GrantList, TokenList, User, UserList } from "./types";

const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;

export function useUsers(cursor: string | undefined) {
  return useQuery({
    queryKey: ["users", cursor ?? null],
    queryFn: () => api.get<UserList>(`/users${query({ cursor, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
}

export function useUserDetails(id: string) {
  return useQuery({ queryKey: ["user", id], queryFn: () => api.get<User>(userPath(id)) });
}

export function useGrants(id: string, cursor: string | undefined) {
  return useQuery({
    queryKey: ["user", id, "grants", cursor ?? null],
    queryFn: () => api.get<GrantList>(`${userPath(id)}/grants${query({ cursor, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
}

export function useTokens(id: string, cursor: string | undefined) {
  return useQuery({
    queryKey: ["user", id, "tokens", cursor ?? null],
    queryFn: () => api.get<TokenList>(`${userPath(id)}/tokens${query({ cursor, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
  });
}

function useInvalidate(key: readonly unknown[]) {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: key });
}

export function useCreateUser() {
  const invalidate = useInvalidate(["users"]);
  return useMutation({
    mutationFn: (input: { name: string; admin: boolean }) => api.post<CreatedUser>("/users", input),
    onSuccess: invalidate,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidate(["users"]);
  return useMutation({ mutationFn: (id: string) => api.delete(userPath(id)), onSuccess: invalidate });
}

export function useAddGrant(id: string) {
  const invalidate = useInvalidate(["user", id, "grants"]);
  return useMutation({
    mutationFn: (grant: { repository: string; role: "admin" } | { namespace: string; role: "owner" }) =>
      api.post<Grant>(`${userPath(id)}/grants`, grant),
    onSuccess: invalidate,
  });
}

export function useRemoveGrant(id: string) {
  const invalidate = useInvalidate(["user", id, "grants"]);
  return useMutation({
    mutationFn: (grantId: string) => api.delete(`${userPath(id)}/grants/${encodeURIComponent(grantId)}`),
    onSuccess: invalidate,
  });
}

export function useCreateToken(id: string) {
  const invalidate = useInvalidate(["user", id, "tokens"]);
  return useMutation({
    mutationFn: () => api.post<{ id: string; token: string; createdAt: string }>(`${userPath(id)}/tokens`),
    onSuccess: invalidate,
  });
}

export function useRevokeToken(id: string) {
  const invalidate = useInvalidate(["user", id, "tokens"]);
  return useMutation({
    mutationFn: (tokenId: string) => api.delete(`${userPath(id)}/tokens/${encodeURIComponent(tokenId)}`),
    onSuccess: invalidate,
  });
}
