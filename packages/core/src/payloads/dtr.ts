import type { EventType } from "../event-types.js";
import type { OperationalContents } from "../operational-events.js";
import type { RegistryEvent } from "../registry-event.js";
import { splitRepositoryName } from "../repository-name.js";
import {
  type DtrContents,
  type ImageContents,
  type MirroringContents,
  type PromotionContents,
  type RepositoryEventContents,
  type RepositoryRename,
  SCAN_STATUS,
  type ScanCompletedContents,
  type ScanFailedContents,
  type ScannerReplica,
  type ScannerUpdateContents,
} from "./contents.js";

/** The DTR webhook envelope (docker/docs ee/dtr/admin/manage-webhooks). */
export interface DtrPayload {
  type: string;
  createdAt: string;
  contents: Record<string, unknown>;
  location: string;
}

const TIME_FIELD: Partial<Record<EventType, "pushedAt" | "pulledAt" | "deletedAt">> = {
  TAG_PUSH: "pushedAt",
  MANIFEST_PUSH: "pushedAt",
  TAG_DELETE: "deletedAt",
  MANIFEST_DELETE: "deletedAt",
  TAG_PULL: "pulledAt",
  MANIFEST_PULL: "pulledAt",
};

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function count(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * What the renderers read besides the event's own fields. Sources put their details in `data`
 * (Harbor: scanSummary, error, remote, registryHost); native publishers' validated contents sit in
 * `data.contents` and take precedence, so one renderer serves both.
 */
function details(event: RegistryEvent): Record<string, unknown> {
  const contents = event.data.contents;
  return contents === undefined ? event.data : { ...event.data, ...record(contents) };
}

/** "ns/path/repo" as DTR splits it; a name without a namespace keeps its whole text as the name. */
function splitName(fullName: string): { namespace: string; name: string } {
  return fullName.includes("/") ? splitRepositoryName(fullName) : { namespace: "", name: fullName };
}

/**
 * DTR's imageName is what `docker pull` takes: by tag when there is one, else by digest. The
 * registry host is prefixed when the source reported it (Harbor's resource_url does; Distribution's
 * envelope is not read for it).
 */
function imageName(
  event: RegistryEvent,
  repository: string,
  reference: { tag?: string | null; digest?: string | null },
) {
  const host = text(details(event).registryHost);
  const ref = reference.tag ? `:${reference.tag}` : reference.digest ? `@${reference.digest}` : "";
  return `${host ? `${host}/` : ""}${repository}${ref}`;
}

function identity(event: RegistryEvent): { namespace: string; repository: string } {
  const repo = splitName(event.repository ?? "");
  return { namespace: event.namespace ?? repo.namespace, repository: repo.name };
}

/**
 * Contents of the image events. DTR's shape for pushes and deletes; pulls follow it with pulledAt.
 * os and architecture are empty when the source does not report them (Distribution does not).
 */
function imageContents(event: RegistryEvent): ImageContents {
  const more = details(event);
  const isTagEvent = event.type.startsWith("TAG_");
  const { namespace, repository } = identity(event);
  const contents: ImageContents = {
    namespace,
    repository,
    ...(isTagEvent ? { tag: event.tag ?? "" } : {}),
    digest: event.digest ?? "",
    imageName: imageName(event, event.repository ?? "", isTagEvent ? { tag: event.tag } : { digest: event.digest }),
    os: text(more.os),
    architecture: text(more.architecture),
    author: event.actor ?? "",
  };
  const timeField = TIME_FIELD[event.type];
  if (timeField) contents[timeField] = event.occurredAt;
  return contents;
}

function scanCompletedContents(event: RegistryEvent): ScanCompletedContents {
  const { namespace, repository } = identity(event);
  const tag = event.tag ?? "";
  const summary = record(details(event).scanSummary);
  return {
    namespace,
    repository,
    tag,
    imageName: imageName(event, event.repository ?? "", event),
    scanSummary: {
      namespace,
      repository,
      tag,
      critical: count(summary.critical),
      major: count(summary.major),
      minor: count(summary.minor),
      // A scan that completed is "Completed" unless its publisher said otherwise.
      last_scan_status: count(summary.last_scan_status, SCAN_STATUS.completed),
      check_completed_at: text(summary.check_completed_at) || event.occurredAt,
    },
  };
}

function scanFailedContents(event: RegistryEvent): ScanFailedContents {
  const { namespace, repository } = identity(event);
  return {
    namespace,
    repository,
    tag: event.tag ?? "",
    imageName: imageName(event, event.repository ?? "", event),
    error: text(details(event).error),
  };
}

function promotionContents(event: RegistryEvent): PromotionContents {
  const more = details(event);
  const { namespace, repository } = identity(event);
  const target = record(more.target);
  const targetName = text(target.repository);
  const targetRepo = splitName(targetName);
  const targetTag = text(target.tag);
  return {
    namespace,
    repository,
    tag: event.tag ?? "",
    digest: event.digest ?? "",
    imageName: imageName(event, event.repository ?? "", event),
    author: event.actor ?? "",
    promotedAt: event.occurredAt,
    promotionPolicy: text(more.promotionPolicy),
    target: {
      namespace: targetRepo.namespace,
      repository: targetRepo.name,
      tag: targetTag,
      // A promotion copies the manifest, so the target has the source's digest; it is named by tag.
      imageName: imageName(event, targetName, { tag: targetTag, digest: event.digest }),
    },
  };
}

function mirroringContents(event: RegistryEvent): MirroringContents {
  const { namespace, repository } = identity(event);
  const remote = record(details(event).remote);
  const tag = event.tag ?? "";
  return {
    namespace,
    repository,
    tag,
    digest: event.digest ?? "",
    imageName: imageName(event, event.repository ?? "", event),
    direction: event.type === "PUSH_MIRRORING" ? "push" : "poll",
    // Mirroring keeps the tag unless the publisher says the remote side differs.
    remote: { host: text(remote.host), repository: text(remote.repository), tag: text(remote.tag) || tag },
    author: event.actor ?? "",
    mirroredAt: event.occurredAt,
  };
}

/** A source's rename (`data.rename{type, from, to}`, whole paths), or null when the event is none. */
function renameContents(value: unknown): RepositoryRename | null {
  const rename = record(value);
  const from = splitName(text(rename.from));
  const to = splitName(text(rename.to));
  if (!from.name && !to.name) return null;
  return {
    type: text(rename.type),
    from: { namespace: from.namespace, repository: from.name },
    to: { namespace: to.namespace, repository: to.name },
  };
}

function repositoryEventContents(event: RegistryEvent): RepositoryEventContents {
  const more = details(event);
  const repo = splitName(event.repository ?? "");
  const rename = event.type === "REPO_UPDATED" ? renameContents(more.rename) : null;
  return {
    namespace: event.namespace ?? (text(more.namespace) || repo.namespace),
    repository: repo.name || text(more.repository),
    event: event.type as RepositoryEventContents["event"],
    author: event.actor ?? text(more.author),
    data: record(more.data),
    ...(rename ? { rename } : {}),
  };
}

function scannerUpdateContents(event: RegistryEvent): ScannerUpdateContents {
  const more = details(event);
  const replicas: Record<string, ScannerReplica> = {};
  for (const [id, value] of Object.entries(record(more.replicas))) {
    const replica = record(value);
    replicas[id] = {
      db_updated_at: text(replica.db_updated_at),
      version: text(replica.version),
      replica_id: text(replica.replica_id) || id,
    };
  }
  return {
    scanner_version: text(more.scanner_version),
    scanner_updated_at: text(more.scanner_updated_at) || event.occurredAt,
    db_version: count(more.db_version),
    db_updated_at: text(more.db_updated_at) || event.occurredAt,
    success: more.success === true,
    replicas,
  };
}

function renderContents(event: RegistryEvent): DtrContents {
  switch (event.type) {
    case "TAG_PUSH":
    case "TAG_PULL":
    case "TAG_DELETE":
    case "MANIFEST_PUSH":
    case "MANIFEST_PULL":
    case "MANIFEST_DELETE":
      return imageContents(event);
    case "SCAN_COMPLETED":
      return scanCompletedContents(event);
    case "SCAN_FAILED":
      return scanFailedContents(event);
    case "PROMOTION":
      return promotionContents(event);
    case "PUSH_MIRRORING":
    case "POLL_MIRRORING":
      return mirroringContents(event);
    case "REPO_CREATED":
    case "REPO_UPDATED":
    case "REPO_DELETED":
      return repositoryEventContents(event);
    case "SCANNER_UPDATE_COMPLETED":
      return scannerUpdateContents(event);
    case "WEBHOOK_DISABLED":
    case "WEBHOOK_ENABLED":
    case "DELIVERY_EXHAUSTED":
    case "CHAIN_RUN_ENDED":
      // Made by Hookyard in their documented shape (operational-events.ts).
      return event.data as OperationalContents;
  }
}

/**
 * A path in the registry's UI, as DTR's sample gives it ("/repositories/foo/bar/tags/latest"):
 * manifests by digest, every other image event by tag when it has one; namespace events at their
 * namespace; the global scanner event at the root, having no page of its own.
 */
function location(event: RegistryEvent): string {
  if (!event.repository) return event.namespace ? `/repositories/${event.namespace}` : "/";
  const base = `/repositories/${event.repository}`;
  const byTag = !event.type.startsWith("MANIFEST_");
  if (event.tag && byTag) return `${base}/tags/${event.tag}`;
  if (event.digest) return `${base}/manifests/${event.digest}`;
  return base;
}

export function renderDtr(event: RegistryEvent): DtrPayload {
  return { type: event.type, createdAt: event.occurredAt, contents: renderContents(event), location: location(event) };
}
