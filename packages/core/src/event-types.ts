/** The 15 event types of the DTR webhook table and Hookyard's own, and the scope each may be subscribed at. */
export const REPOSITORY_EVENT_TYPES = [
  "TAG_PUSH",
  "TAG_PULL",
  "TAG_DELETE",
  "MANIFEST_PUSH",
  "MANIFEST_PULL",
  "MANIFEST_DELETE",
  "SCAN_COMPLETED",
  "SCAN_FAILED",
  "PROMOTION",
  "PUSH_MIRRORING",
  "POLL_MIRRORING",
] as const;

export const NAMESPACE_EVENT_TYPES = ["REPO_CREATED", "REPO_UPDATED", "REPO_DELETED"] as const;

export const GLOBAL_EVENT_TYPES = ["SCANNER_UPDATE_COMPLETED"] as const;

/**
 * Hookyard's own events about the webhooks it runs (operational-events.ts). They concern a webhook
 * of a repository, a namespace or the registry, and may be subscribed to at any scope, like a
 * repository event; registries cannot send them, and globs never pick them: they are named.
 */
export const OPERATIONAL_EVENT_TYPES = [
  "WEBHOOK_DISABLED",
  "WEBHOOK_ENABLED",
  "DELIVERY_EXHAUSTED",
  "CHAIN_RUN_ENDED",
] as const;

/** The registry's events: DTR's 15 types. */
export const REGISTRY_EVENT_TYPES = [
  ...REPOSITORY_EVENT_TYPES,
  ...NAMESPACE_EVENT_TYPES,
  ...GLOBAL_EVENT_TYPES,
] as const;

export const EVENT_TYPES = [...REGISTRY_EVENT_TYPES, ...OPERATIONAL_EVENT_TYPES] as const;

export type RegistryEventType = (typeof REGISTRY_EVENT_TYPES)[number];

export type EventType = (typeof EVENT_TYPES)[number];

/** Where an event type lives: on a repository, on a namespace, or on the whole registry. */
export type EventLevel = "repository" | "namespace" | "global";

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export type OperationalEventType = (typeof OPERATIONAL_EVENT_TYPES)[number];

export function isOperationalEventType(type: string): type is OperationalEventType {
  return (OPERATIONAL_EVENT_TYPES as readonly string[]).includes(type);
}

export function eventLevel(type: EventType): EventLevel {
  if ((REPOSITORY_EVENT_TYPES as readonly string[]).includes(type) || isOperationalEventType(type)) return "repository";
  if ((NAMESPACE_EVENT_TYPES as readonly string[]).includes(type)) return "namespace";
  return "global";
}
