import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, everyPage, PAGE_SIZE, query } from "./client";
import type {
  PreviewRequest,
  Recovered,
  RotatedSecret,
  TestResult,
  Webhook,
  WebhookInput,
  WebhookList,
  WebhookPreview,
} from "./types";

/** Where a webhook lives: a repository, a namespace, or the whole registry. */
export type Scope =
  | { kind: "repository"; repository: string }
  | { kind: "namespace"; namespace: string }
  | { kind: "global" };

export function scopeLabel(scope: Scope): string {
  if (scope.kind === "repository") return scope.repository;
  if (scope.kind === "namespace") return `namespace ${scope.namespace}`;
  return "the whole registry";
}

export function scopeOf(webhook: Pick<Webhook, "repository" | "namespace">): Scope {
  if (webhook.repository) return { kind: "repository", repository: webhook.repository };
  if (webhook.namespace) return { kind: "namespace", namespace: webhook.namespace };
  return { kind: "global" };
}

const scopeKey = (scope: Scope) =>
  scope.kind === "repository" ? scope.repository : scope.kind === "namespace" ? `ns:${scope.namespace}` : "global";

/** The list's filter for a scope: a repository's, a namespace's (its repositories' too), or the global ones. */
const scopeFilter = (scope: Scope) =>
  scope.kind === "repository"
    ? { repository: scope.repository }
    : scope.kind === "namespace"
      ? { namespace: scope.namespace }
      : { scope: "global" };

/** One page of a scope's webhooks, newest first. */
export function useWebhooks(scope: Scope, cursor: string | undefined) {
  return useQuery({
    queryKey: ["webhooks", scopeKey(scope), cursor ?? null],
    queryFn: () => api.get<WebhookList>(`/webhooks${query({ ...scopeFilter(scope), cursor, limit: PAGE_SIZE })}`),
    placeholderData: keepPreviousData,
    // The last delivery's outcome changes without the user doing anything.
    refetchInterval: (q) => (q.state.data?.items.some((w) => w.lastDelivery?.status === "pending") ? 2000 : 15_000),
  });
}

/** Every webhook of a repository, for the choices of a chain's steps (a scope holds a bounded number). */
export function useEveryWebhook(repository: string) {
  return useQuery({
    queryKey: ["webhooks", repository, "every"],
    queryFn: () => everyPage<WebhookList>("/webhooks", { repository }),
  });
}

/** The names of these webhooks, by id; one that is gone (deleted) or not yet loaded has none. */
export function useWebhookNames(ids: readonly string[]): Map<string, string> {
  const webhooks = useQueries({
    queries: [...new Set(ids)].map((id) => ({
      queryKey: ["webhook", id],
      queryFn: () => api.get<Webhook>(`/webhooks/${encodeURIComponent(id)}`),
      retry: false,
    })),
  });
  return new Map(webhooks.flatMap((q) => (q.data ? [[q.data.id, q.data.name] as const] : [])));
}

export function useWebhook(id: string) {
  return useQuery({
    queryKey: ["webhook", id],
    queryFn: () => api.get<Webhook>(`/webhooks/${encodeURIComponent(id)}`),
    enabled: id !== "",
    // A webhook that is gone (a deleted one's history stays readable) is not worth asking again.
    retry: false,
  });
}

function useInvalidateWebhooks() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ["webhooks"] }),
      client.invalidateQueries({ queryKey: ["webhook"] }),
      client.invalidateQueries({ queryKey: ["repositories"] }),
      client.invalidateQueries({ queryKey: ["chains"] }),
    ]);
}

export function useCreateWebhook() {
  const invalidate = useInvalidateWebhooks();
  return useMutation({
    mutationFn: (input: WebhookInput) => api.post<Webhook>("/webhooks", input),
    onSuccess: invalidate,
  });
}

export function useUpdateWebhook() {
  const invalidate = useInvalidateWebhooks();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: WebhookInput }) =>
      api.patch<Webhook>(`/webhooks/${encodeURIComponent(id)}`, input),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhook() {
  const invalidate = useInvalidateWebhooks();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/webhooks/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

export function useTestWebhook() {
  const invalidate = useInvalidateWebhooks();
  const client = useQueryClient();
  return useMutation({
    /** `type`: the event type of the sample (one the webhook takes); none: its first. */
    mutationFn: ({ id, type }: { id: string; type?: string }) =>
      api.post<TestResult>(`/webhooks/${encodeURIComponent(id)}/test`, type ? { type } : {}),
    onSuccess: async (_result, { id }) => {
      await client.invalidateQueries({ queryKey: ["deliveries", id] });
      await invalidate();
    },
  });
}

export function useRotateSecret() {
  const invalidate = useInvalidateWebhooks();
  return useMutation({
    mutationFn: ({ id, grace }: { id: string; grace: string }) =>
      api.post<RotatedSecret>(`/webhooks/${encodeURIComponent(id)}/secret/rotate`, { grace }),
    onSuccess: invalidate,
  });
}

export function useRecover() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, since }: { id: string; since: string }) =>
      api.post<Recovered>(`/webhooks/${encodeURIComponent(id)}/recover`, { since }),
    onSuccess: (_r, { id }) => client.invalidateQueries({ queryKey: ["deliveries", id] }),
  });
}

/** A preview, and whether it is of the repository's latest stored event or of a sample. */
export interface PreviewResult {
  preview: WebhookPreview;
  latest: boolean;
}

/** The sample's repository for a scope without one: the API's sample repository otherwise. */
function sampleRepository(scope: Scope): string | undefined {
  if (scope.kind === "repository") return scope.repository;
  if (scope.kind === "namespace") return `${scope.namespace}/example`;
  return undefined;
}

/**
 * What a webhook of these settings would send (POST /webhooks/preview, which sends nothing): for a
 * repository webhook its repository's latest stored event (of the type, when given), else a sample of
 * that type. `request` null: nothing to render yet.
 */
export function usePreview(request: Omit<PreviewRequest, "latestOf" | "repository" | "eventId"> | null, scope: Scope) {
  return useQuery({
    queryKey: ["preview", scopeKey(scope), request],
    queryFn: async (): Promise<PreviewResult> => {
      const body = request as PreviewRequest;
      if (scope.kind === "repository") {
        try {
          const preview = await api.post<WebhookPreview>("/webhooks/preview", { ...body, latestOf: scope.repository });
          return { preview, latest: true };
        } catch (error) {
          // 404: the repository has no such event yet; a sample shows the shape instead.
          if (!(error instanceof ApiError && error.status === 404)) throw error;
        }
      }
      const repository = sampleRepository(scope);
      const preview = await api.post<WebhookPreview>("/webhooks/preview", repository ? { ...body, repository } : body);
      return { preview, latest: false };
    },
    enabled: request !== null,
    placeholderData: keepPreviousData,
    retry: false,
    // A new event may arrive while the form is open: the next change of the form shows it.
    staleTime: 0,
  });
}
