import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, PAGE_SIZE, query } from "./client";
import type { Delivery, DeliveryPage, DeliveryStatus } from "./types";

/** What a webhook's history may be narrowed to (the API's query of the same names); "" for none. */
export interface DeliveryFilter {
  status: DeliveryStatus | "";
  tag: string;
  eventId: string;
  /** RFC 3339, or "". */
  from: string;
  to: string;
}

export function useDeliveries(webhookId: string, filter: DeliveryFilter, cursor: string | undefined) {
  return useQuery({
    queryKey: ["deliveries", webhookId, filter, cursor ?? null],
    queryFn: () =>
      api.get<DeliveryPage>(
        `/webhooks/${encodeURIComponent(webhookId)}/deliveries${query({ ...filter, cursor, limit: PAGE_SIZE })}`,
      ),
    placeholderData: keepPreviousData,
    // While a delivery is pending its row changes on its own: look again every 2 s until none is;
    // after that, now and then, for deliveries of new events.
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === "pending") ? 2000 : 15_000),
  });
}

export function useDelivery(id: string) {
  return useQuery({
    queryKey: ["delivery", id],
    queryFn: () => api.get<Delivery>(`/deliveries/${encodeURIComponent(id)}`),
    refetchInterval: (q) => {
      const d = q.state.data;
      // A dockerhub delivery's callback may still come after it succeeded.
      const awaitingCallback = d?.callback && d.callback.state === null && d.status === "succeeded";
      return d?.status === "pending" ? 2000 : awaitingCallback ? 5000 : false;
    },
  });
}

export function useRedeliver() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api.post<{ id: string; status: string }>(`/deliveries/${encodeURIComponent(id)}/redeliver`),
    onSuccess: async (_r, id) => {
      await client.invalidateQueries({ queryKey: ["delivery", id] });
      await client.invalidateQueries({ queryKey: ["deliveries"] });
      await client.invalidateQueries({ queryKey: ["webhooks"] });
    },
  });
}
