/** The shapes of Hookyard's public API that the UI reads (docs/api.md). */

import type { PayloadFormat } from "@hookyard/core/payload-format";

export interface Me {
  id: string;
  name: string;
  admin: boolean;
  repositories: string[];
  namespaces: string[];
}

export interface Session {
  user: Me;
  csrfToken: string;
  expiresAt: string;
}

export interface RepositorySummary {
  repository: string;
  namespace: string;
  webhooks: number;
  chains: number;
  lastEventAt: string | null;
}

export type DeliveryStatus = "pending" | "succeeded" | "failed" | "canceled";

export interface LastDelivery {
  id: string;
  status: DeliveryStatus;
  lastStatusCode: number | null;
  createdAt: string;
}

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  repository: string | null;
  namespace: string | null;
  format: PayloadFormat;
  hasSecret: boolean;
  previousSecretExpiresAt: string | null;
  headers: Record<string, string>;
  filter: { tags: string[] } | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
  lastSuccessfulAt: string | null;
  lastDelivery?: LastDelivery | null;
}

export interface DeliverySummary {
  id: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  createdAt: string;
  completedAt: string | null;
  test: boolean;
  durationMs?: number | null;
}

export interface Attempt {
  n: number;
  startedAt: string;
  durationMs: number | null;
  statusCode: number | null;
  error: string | null;
  requestHeaders: Record<string, string> | null;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
}

export interface Callback {
  state: "success" | "failure" | "error" | null;
  description: string | null;
  context: string | null;
  targetUrl: string | null;
  receivedAt: string | null;
  expiresAt: string | null;
}

export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attemptCount: number;
  lastStatusCode: number | null;
  createdAt: string;
  completedAt: string | null;
  test: boolean;
  attempts: Attempt[];
  callback: Callback | null;
}

export interface TestResult {
  deliveryId: string;
  eventType: string;
  attempt: Omit<Attempt, "requestHeaders">;
}

export interface RotatedSecret {
  secret: string;
  previousSecretExpiresAt: string | null;
}

export interface Recovered {
  count: number;
  redelivered: number;
  missed: number;
}

export interface ChainStep {
  position: number;
  webhookId: string;
  name: string;
  enabled: boolean;
  disabledReason: string | null;
}

export interface Chain {
  id: string;
  name: string;
  repository: string;
  events: string[];
  webhooks: string[];
  steps: ChainStep[];
  createdAt: string;
  updatedAt: string;
}

export type RunState = "running" | "completed" | "interrupted" | "expired";

export interface RunStep {
  position: number;
  webhookId: string;
  state: string;
  startedAt: string | null;
  delivery: {
    id: string;
    status: DeliveryStatus;
    attempts: number;
    lastStatusCode: number | null;
    completedAt: string | null;
  } | null;
  callback: Callback | null;
}

export interface ChainRun {
  id: string;
  chainId: string;
  chainName: string;
  repository: string;
  eventId: string;
  eventType: string;
  tag: string | null;
  state: RunState;
  currentStep: number;
  reason: string | null;
  createdAt: string;
  endedAt: string | null;
  steps: RunStep[];
}

export interface User {
  id: string;
  name: string;
  admin: boolean;
  createdAt: string;
}

export interface CreatedUser extends User {
  token: string;
}

export interface Grant {
  id: string;
  repository: string | null;
  namespace: string | null;
  role: "admin" | "owner";
  createdAt: string;
}

export interface ApiToken {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** One page of a list: every list of the API pages (`?limit=&cursor=`); nextCursor is null on the last. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
