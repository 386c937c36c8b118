import { CloudEvent, HTTP } from "cloudevents";
import type { EventType } from "../event-types.js";
import type { RegistryEvent } from "../registry-event.js";
import { renderDtr } from "./dtr.js";

/** Reverse-DNS CloudEvents types, one per event type: `io.hookyard.<object>.<what happened>`. */
export const CLOUDEVENT_TYPES: Record<EventType, string> = {
  TAG_PUSH: "io.hookyard.tag.pushed",
  TAG_PULL: "io.hookyard.tag.pulled",
  TAG_DELETE: "io.hookyard.tag.deleted",
  MANIFEST_PUSH: "io.hookyard.manifest.pushed",
  MANIFEST_PULL: "io.hookyard.manifest.pulled",
  MANIFEST_DELETE: "io.hookyard.manifest.deleted",
  SCAN_COMPLETED: "io.hookyard.scan.completed",
  SCAN_FAILED: "io.hookyard.scan.failed",
  PROMOTION: "io.hookyard.image.promoted",
  PUSH_MIRRORING: "io.hookyard.mirror.pushed",
  POLL_MIRRORING: "io.hookyard.mirror.polled",
  REPO_CREATED: "io.hookyard.repository.created",
  REPO_UPDATED: "io.hookyard.repository.updated",
  REPO_DELETED: "io.hookyard.repository.deleted",
  SCANNER_UPDATE_COMPLETED: "io.hookyard.scanner.updated",
  WEBHOOK_DISABLED: "io.hookyard.webhook.disabled",
  WEBHOOK_ENABLED: "io.hookyard.webhook.enabled",
  DELIVERY_EXHAUSTED: "io.hookyard.delivery.exhausted",
  CHAIN_RUN_ENDED: "io.hookyard.chainrun.ended",
};

/** Where the event happened, as a URI reference: the repository, the namespace, or the registry. */
function sourceOf(event: RegistryEvent): string {
  if (event.repository) return `/repositories/${event.repository}`;
  if (event.namespace) return `/namespaces/${event.namespace}`;
  return "/registry";
}

/** What it is about: the image by tag or digest, else the repository or namespace. */
function subjectOf(event: RegistryEvent): string | undefined {
  if (event.repository && event.tag) return `${event.repository}:${event.tag}`;
  if (event.repository && event.digest) return `${event.repository}@${event.digest}`;
  return event.repository ?? event.namespace ?? undefined;
}

/**
 * A structured-mode CloudEvents 1.0 message (built and checked by the CloudEvents SDK). `id` is the
 * event's id, the same on every retry and for every webhook it goes to: source + id name the event,
 * which is what a consumer deduplicates on. `data` is the DTR `contents` of the event.
 */
export function renderCloudEvent(event: RegistryEvent, eventId: string): { body: string; contentType: string } {
  const cloudEvent = new CloudEvent({
    specversion: "1.0",
    id: eventId,
    source: sourceOf(event),
    type: CLOUDEVENT_TYPES[event.type],
    time: event.occurredAt,
    datacontenttype: "application/json",
    data: renderDtr(event).contents,
    ...(subjectOf(event) ? { subject: subjectOf(event) } : {}),
  });
  const message = HTTP.structured(cloudEvent);
  return { body: message.body as string, contentType: String(message.headers["content-type"]) };
}
