import { type EventType, eventLevel, isOperationalEventType } from "./event-types.js";
import { sampleOperationalContents } from "./operational-events.js";
import type { RegistryEvent } from "./registry-event.js";
import type { Scope } from "./scope.js";

const SAMPLE_DIGEST = `sha256:${"0".repeat(64)}`;

/**
 * The event a test sends: of the asked type, in the webhook's scope (a namespace or global webhook
 * gets a repository "sample" in its namespace, or in "hookyard"), with a tag where the type has one,
 * so the receiver sees the shape it will get. Its source, "test", marks it in history.
 */
export function sampleEvent(type: EventType, scope: Scope, dedupKey: string, now = new Date()): RegistryEvent {
  const namespace = scope.kind === "global" ? "hookyard" : scope.namespace;
  const level = eventLevel(type);
  const repository = level === "global" ? null : scope.kind === "repository" ? scope.repository : `${namespace}/sample`;
  if (isOperationalEventType(type)) {
    // About a webhook of the same scope as the one tested, as a real one would be.
    const place = {
      namespace: scope.kind === "global" ? null : scope.namespace,
      repository: scope.kind === "repository" ? scope.repository : null,
    };
    return {
      type,
      dedupKey,
      source: "test",
      ...place,
      tag: null,
      digest: null,
      actor: null,
      occurredAt: now.toISOString(),
      data: sampleOperationalContents(type, place, now) as Record<string, unknown>,
    };
  }
  return {
    type,
    dedupKey,
    source: "test",
    namespace: level === "global" ? null : namespace,
    repository,
    tag: level === "repository" ? "latest" : null,
    digest: level === "repository" ? SAMPLE_DIGEST : null,
    actor: "hookyard-test",
    occurredAt: now.toISOString(),
    data: { test: true },
  };
}
