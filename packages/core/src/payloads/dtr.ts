import type { RegistryEvent } from "../registry-event.js";
import { splitRepositoryName } from "../repository-name.js";

/** The DTR webhook envelope (docker/docs ee/dtr/admin/manage-webhooks). */
export interface DtrPayload {
  type: string;
  createdAt: string;
  contents: Record<string, unknown>;
  location: string;
}

const TIME_FIELD: Partial<Record<string, string>> = {
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

/**
 * Contents of the image events. DTR's shape for pushes and deletes; pulls follow it with pulledAt.
 * os and architecture are empty when the source does not report them (Distribution does not).
 */
function imageContents(event: RegistryEvent): Record<string, unknown> {
  const repo = splitRepositoryName(event.repository ?? "");
  const isTagEvent = event.type.startsWith("TAG_");
  const reference = isTagEvent ? `:${event.tag}` : `@${event.digest}`;
  const contents: Record<string, unknown> = {
    namespace: repo.namespace,
    repository: repo.name,
    ...(isTagEvent ? { tag: event.tag } : {}),
    digest: event.digest ?? "",
    imageName: `${event.repository}${reference}`,
    os: text(event.data.os),
    architecture: text(event.data.architecture),
    author: event.actor ?? "",
  };
  const timeField = TIME_FIELD[event.type];
  if (timeField) contents[timeField] = event.occurredAt;
  return contents;
}

function location(event: RegistryEvent): string {
  if (!event.repository) return event.namespace ? `/repositories/${event.namespace}` : "/";
  const base = `/repositories/${event.repository}`;
  if (event.tag && event.type.startsWith("TAG_")) return `${base}/tags/${event.tag}`;
  if (event.digest) return `${base}/manifests/${event.digest}`;
  return base;
}

export function renderDtr(event: RegistryEvent): DtrPayload {
  const isImageEvent = event.type.startsWith("TAG_") || event.type.startsWith("MANIFEST_");
  const contents = isImageEvent
    ? imageContents(event)
    : ((event.data.contents as Record<string, unknown> | undefined) ?? {});
  return { type: event.type, createdAt: event.occurredAt, contents, location: location(event) };
}
