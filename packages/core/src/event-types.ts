/** The 15 event types of the DTR webhook table, and the scope each may be subscribed at. */
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

export const EVENT_TYPES = [...REPOSITORY_EVENT_TYPES, ...NAMESPACE_EVENT_TYPES, ...GLOBAL_EVENT_TYPES] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Where an event type lives: on a repository, on a namespace, or on the whole registry. */
export type EventLevel = "repository" | "namespace" | "global";

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

export function eventLevel(type: EventType): EventLevel {
  if ((REPOSITORY_EVENT_TYPES as readonly string[]).includes(type)) return "repository";
  if ((NAMESPACE_EVENT_TYPES as readonly string[]).includes(type)) return "namespace";
  return "global";
}
