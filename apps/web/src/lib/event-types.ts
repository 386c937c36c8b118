/*
 * The event types, from core's list (its `event-types` entry point: the package's index would bring
 * node:crypto into the bundle), with the labels the forms show.
 */
import {
  type EventType,
  GLOBAL_EVENT_TYPES as GLOBAL,
  NAMESPACE_EVENT_TYPES as NAMESPACE,
  OPERATIONAL_EVENT_TYPES as OPERATIONAL,
  REPOSITORY_EVENT_TYPES as REPOSITORY,
} from "@hookyard/core/event-types";

export interface EventTypeInfo {
  type: string;
  label: string;
}

/** Every type must have its label: a type added to core fails this file's type check until it does. */
const LABELS: Record<EventType, string> = {
  TAG_PUSH: "Tag pushed to repository",
  TAG_PULL: "Tag pulled from repository",
  TAG_DELETE: "Tag deleted from repository",
  MANIFEST_PUSH: "Manifest pushed to repository",
  MANIFEST_PULL: "Manifest pulled from repository",
  MANIFEST_DELETE: "Manifest deleted from repository",
  SCAN_COMPLETED: "Security scan completed",
  SCAN_FAILED: "Security scan failed",
  PROMOTION: "Image promoted from repository",
  PUSH_MIRRORING: "Image mirrored from repository",
  POLL_MIRRORING: "Image mirrored from remote repository",
  REPO_CREATED: "Repository created",
  REPO_UPDATED: "Repository updated",
  REPO_DELETED: "Repository deleted",
  SCANNER_UPDATE_COMPLETED: "Security scanner update completed",
  WEBHOOK_DISABLED: "A webhook was disabled",
  WEBHOOK_ENABLED: "A webhook was enabled again",
  DELIVERY_EXHAUSTED: "Deliveries failed with no attempt left",
  CHAIN_RUN_ENDED: "A chain run was interrupted or expired",
};

const withLabels = (types: readonly EventType[]): EventTypeInfo[] =>
  types.map((type) => ({ type, label: LABELS[type] }));

export const REPOSITORY_EVENT_TYPES = withLabels(REPOSITORY);
export const NAMESPACE_EVENT_TYPES = withLabels(NAMESPACE);
export const GLOBAL_EVENT_TYPES = withLabels(GLOBAL);
/** Hookyard's own events about the webhooks it runs: any scope may take them, named one by one. */
export const OPERATIONAL_EVENT_TYPES = withLabels(OPERATIONAL);

/** The registry's types a webhook of each scope may take: a namespace's also covers its repositories, global everything. */
export function eventTypesFor(kind: "repository" | "namespace" | "global"): EventTypeInfo[] {
  if (kind === "repository") return REPOSITORY_EVENT_TYPES;
  if (kind === "namespace") return [...NAMESPACE_EVENT_TYPES, ...REPOSITORY_EVENT_TYPES];
  return [...GLOBAL_EVENT_TYPES, ...NAMESPACE_EVENT_TYPES, ...REPOSITORY_EVENT_TYPES];
}

/** The only type a dockerhub body, and so a chain, can carry. */
export const DOCKERHUB_EVENT_TYPE = "TAG_PUSH";
