import type { EventType } from "./event-types.js";

/** Where an event came from; "test" is a sample sent on request (POST /webhooks/:id/test). */
/** "hookyard": Hookyard's own operational events (operational-events.ts). */
export type EventSource = "distribution" | "harbor" | "hookyard" | "native" | "quay" | "test" | "zot";

/**
 * One event in Hookyard's own terms, whatever registry format it arrived in. It travels through
 * the queue as JSON, so every field is plain data.
 */
export interface RegistryEvent {
  type: EventType;
  /** Same key, same event: the source's event id when it has one, else a content hash. */
  dedupKey: string;
  source: EventSource;
  namespace: string | null;
  /** The full repository name, "ns/repo". */
  repository: string | null;
  tag: string | null;
  digest: string | null;
  /** Who caused it (pusher, deleter), when the source says. */
  actor: string | null;
  /** RFC 3339. */
  occurredAt: string;
  /** Type-specific details the payload renderers read (media type, platform, native contents). */
  data: Record<string, unknown>;
  /** The webhook an operational event is about: it never receives that event. */
  subjectWebhookId?: string | null;
}

/** An event ingest has accepted: `id` is its id from then on, as the queue job's id and the events row's. */
export interface AcceptedEvent extends RegistryEvent {
  id: string;
}

/**
 * The most items of one request body a source turns into events: Distribution's events, Harbor's
 * resources and replicated artifacts, Quay's tags (and the vulnerabilities each of its events
 * carries), native events. Registries send one or a few. Each event costs the API a queue job and the
 * worker a fan-out, so a body listing thousands of them in a few KiB would cost far more than its
 * size says; such a list is refused (400 naming it) before its items are read.
 */
export const MAX_ITEMS_PER_REQUEST = 100;

/** What a source parser makes of one request body. */
export type ParseResult =
  | { ok: true; events: RegistryEvent[]; ignored: number }
  | { ok: false; field: string; message: string };
