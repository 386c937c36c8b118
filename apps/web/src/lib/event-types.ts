/*
 * The event types of DTR's webhook table and Hookyard's own, as packages/core/src/event-types.ts
 * lists them. Kept here rather than imported: @hookyard/core's index also brings node:crypto into
 * the bundle.
 */

export interface EventTypeInfo {
  type: string;
  label: string;
}

export const REPOSITORY_EVENT_TYPES: EventTypeInfo[] = [
  { type: "TAG_PUSH", label: "Tag pushed to repository" },
  { type: "TAG_PULL", label: "Tag pulled from repository" },
  { type: "TAG_DELETE", label: "Tag deleted from repository" },
  { type: "MANIFEST_PUSH", label: "Manifest pushed to repository" },
  { type: "MANIFEST_PULL", label: "Manifest pulled from repository" },
  { type: "MANIFEST_DELETE", label: "Manifest deleted from repository" },
  { type: "SCAN_COMPLETED", label: "Security scan completed" },
  { type: "SCAN_FAILED", label: "Security scan failed" },
  { type: "PROMOTION", label: "Image promoted from repository" },
  { type: "PUSH_MIRRORING", label: "Image mirrored from repository" },
  { type: "POLL_MIRRORING", label: "Image mirrored from remote repository" },
];

export const NAMESPACE_EVENT_TYPES: EventTypeInfo[] = [
  { type: "REPO_CREATED", label: "Repository created" },
  { type: "REPO_UPDATED", label: "Repository updated" },
  { type: "REPO_DELETED", label: "Repository deleted" },
];

export const GLOBAL_EVENT_TYPES: EventTypeInfo[] = [
  { type: "SCANNER_UPDATE_COMPLETED", label: "Security scanner update completed" },
];

/** Hookyard's own events about the webhooks it runs: any scope may take them, named one by one. */
export const OPERATIONAL_EVENT_TYPES: EventTypeInfo[] = [
  { type: "WEBHOOK_DISABLED", label: "A webhook was disabled" },
  { type: "WEBHOOK_ENABLED", label: "A webhook was enabled again" },
  { type: "DELIVERY_EXHAUSTED", label: "Deliveries failed with no attempt left" },
  { type: "CHAIN_RUN_ENDED", label: "A chain run was interrupted or expired" },
];

/** The registry's types a webhook of each scope may take: a namespace's also covers its repositories, global everything. */
export function eventTypesFor(kind: "repository" | "namespace" | "global"): EventTypeInfo[] {
  if (kind === "repository") return REPOSITORY_EVENT_TYPES;
  if (kind === "namespace") return [...NAMESPACE_EVENT_TYPES, ...REPOSITORY_EVENT_TYPES];
  return [...GLOBAL_EVENT_TYPES, ...NAMESPACE_EVENT_TYPES, ...REPOSITORY_EVENT_TYPES];
}

/** The only type a dockerhub body, and so a chain, can carry. */
export const DOCKERHUB_EVENT_TYPE = "TAG_PUSH";
