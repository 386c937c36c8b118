import { CLOUDEVENT_TYPES, EVENT_TYPES, type EventType, SCAN_STATUS } from "@hookyard/core";
import { z } from "zod";

/*
 * The bodies Hookyard delivers (packages/core/src/payloads/), one schema per event type, for the
 * document's `webhooks`. Every object is closed (additionalProperties: false): the schema is exactly
 * what this version sends, so tests/openapi.test.ts fails when a renderer or a golden file gains a
 * field the schema does not name or loses one it requires. Receivers should still ignore fields they
 * do not know: a later version may add some (docs/decisions/0019). The open objects are only those
 * whose keys are another system's: a repository's `data`, the scanner's `replicas`.
 */

const text = (description: string) => z.string().meta({ description });
/** The time of the event at its source (its `occurredAt`, in UTC): the same on every attempt. */
const eventTime = z.iso.datetime().meta({ description: "when it happened at the source, RFC 3339 in UTC" });

const webhookSummary = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    url: z.string(),
    namespace: z.string().nullable(),
    repository: z.string().nullable(),
  })
  .meta({ id: "WebhookSummary", description: "the webhook the event is about (never its secret or headers)" });

const image = {
  namespace: z.string(),
  repository: text('the name inside the namespace ("web" for "acme/web")'),
};
const imageName = text(
  "what `docker pull` takes: by tag, else by digest; with the registry host when the source says it",
);
const digest = text('"" when the source did not say');

type TimeField = "pushedAt" | "pulledAt" | "deletedAt";

/** TAG_* and MANIFEST_* (DTR; pulls designed by Hookyard): the tag events have a tag, each its one time field. */
function imageEvent(tagged: boolean, time: TimeField) {
  return z.strictObject({
    ...image,
    ...(tagged ? { tag: z.string() } : {}),
    digest,
    imageName,
    os: text('"" unless the source reports it'),
    architecture: text('"" unless the source reports it'),
    author: text("who pushed, pulled or deleted it"),
    [time]: eventTime,
  });
}

const scanCompleted = z.strictObject({
  ...image,
  tag: text('"" for an image scanned by digest'),
  imageName,
  scanSummary: z.strictObject({
    ...image,
    tag: z.string(),
    critical: z.int().min(0).meta({ description: "CVSS >= 7.0" }),
    major: z.int().min(0).meta({ description: "4.0 <= CVSS < 7.0" }),
    minor: z.int().min(0).meta({ description: "0 < CVSS < 4.0" }),
    last_scan_status: z
      .int()
      .min(SCAN_STATUS.failed)
      .max(SCAN_STATUS.completed)
      .meta({ description: "DTR's: 0 failed, 1 unscanned, 2 scanning, 3 pending, 4 scanned, 5 checking, 6 completed" }),
    check_completed_at: text("as the source wrote it; the event's time when it did not"),
  }),
});

const scanFailed = z.strictObject({ ...image, tag: z.string(), imageName, error: z.string() });

const promotion = z.strictObject({
  ...image,
  tag: z.string(),
  digest,
  imageName,
  author: z.string(),
  promotedAt: eventTime,
  promotionPolicy: text('"" for a manual promotion'),
  target: z.strictObject({ ...image, tag: z.string(), imageName }),
});

function mirroring(direction: "push" | "poll") {
  return z.strictObject({
    ...image,
    tag: z.string(),
    digest,
    imageName,
    direction: z.literal(direction),
    remote: z
      .strictObject({ host: z.string(), repository: z.string(), tag: z.string() })
      .meta({ description: "the other registry's side" }),
    author: z.string(),
    mirroredAt: eventTime,
  });
}

const repositoryPath = z.strictObject({ namespace: z.string(), repository: z.string() });

function repositoryEvent(event: "REPO_CREATED" | "REPO_UPDATED" | "REPO_DELETED") {
  return z.strictObject({
    namespace: z.string(),
    repository: z.string(),
    event: z.literal(event),
    author: z.string(),
    data: z
      .record(z.string(), z.unknown())
      .meta({ description: "the repository as the registry's API answers it; {} when the publisher sent none" }),
    ...(event === "REPO_UPDATED"
      ? {
          rename: z
            .strictObject({
              type: text('the source\'s word ("name", "namespace"); "" when unsaid'),
              from: repositoryPath,
              to: repositoryPath,
            })
            .optional()
            .meta({ description: "only when the update renamed or moved the repository" }),
        }
      : {}),
  });
}

const scannerUpdate = z.strictObject({
  scanner_version: z.string(),
  scanner_updated_at: z.string(),
  db_version: z.int().min(0),
  db_updated_at: z.string(),
  success: z.boolean(),
  replicas: z.record(
    z.string(),
    z.strictObject({ db_updated_at: z.string(), version: z.string(), replica_id: z.string() }),
  ),
});

const webhookDisabled = z.strictObject({
  webhook: webhookSummary,
  reason: text('why ("the receiver answered 410 Gone at ...", "paused by alice")').nullable(),
});
const webhookEnabled = z.strictObject({ webhook: webhookSummary, reason: z.null() });

const deliveryExhausted = z.strictObject({
  webhook: webhookSummary,
  failedDeliveries: z.int().min(1).meta({ description: "deliveries that failed for good in [since, until)" }),
  lastDeliveryId: z.string(),
  lastStatusCode: z.int().nullable().meta({ description: "the last one's last answer; null when none came" }),
  since: z.iso.datetime(),
  until: z.iso.datetime(),
});

const chainRunEnded = z.strictObject({
  chain: z.strictObject({ id: z.string(), name: z.string() }),
  run: z.strictObject({
    id: z.string(),
    state: z.enum(["interrupted", "expired"]),
    step: z.int().min(1),
    reason: z.string().nullable(),
    eventId: z.string(),
  }),
  webhook: webhookSummary.meta({ description: "the webhook of the step the run ended at" }),
});

/** The DTR `contents` (and CloudEvents `data`) of each type; a type added to core fails here first. */
const CONTENTS: Record<EventType, z.ZodType> = {
  TAG_PUSH: imageEvent(true, "pushedAt"),
  TAG_PULL: imageEvent(true, "pulledAt"),
  TAG_DELETE: imageEvent(true, "deletedAt"),
  MANIFEST_PUSH: imageEvent(false, "pushedAt"),
  MANIFEST_PULL: imageEvent(false, "pulledAt"),
  MANIFEST_DELETE: imageEvent(false, "deletedAt"),
  SCAN_COMPLETED: scanCompleted,
  SCAN_FAILED: scanFailed,
  PROMOTION: promotion,
  PUSH_MIRRORING: mirroring("push"),
  POLL_MIRRORING: mirroring("poll"),
  REPO_CREATED: repositoryEvent("REPO_CREATED"),
  REPO_UPDATED: repositoryEvent("REPO_UPDATED"),
  REPO_DELETED: repositoryEvent("REPO_DELETED"),
  SCANNER_UPDATE_COMPLETED: scannerUpdate,
  WEBHOOK_DISABLED: webhookDisabled,
  WEBHOOK_ENABLED: webhookEnabled,
  DELIVERY_EXHAUSTED: deliveryExhausted,
  CHAIN_RUN_ENDED: chainRunEnded,
};

/** "TAG_PUSH" -> "TagPush": the component names of a type's shapes. */
const pascal = (type: string) =>
  type
    .toLowerCase()
    .split("_")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");

/** Registered once each: the dtr and cloudevents variants refer to the same component. */
const NAMED_CONTENTS = Object.fromEntries(
  EVENT_TYPES.map((type) => [type, CONTENTS[type].meta({ id: `${pascal(type)}Contents` })]),
) as Record<EventType, z.ZodType>;
const contentsOf = (type: EventType) => NAMED_CONTENTS[type];

/** One variant per event type, as discriminatedUnion takes them (at least one). */
function perType<T extends z.ZodObject>(make: (type: EventType) => T): [T, ...T[]] {
  return EVENT_TYPES.map(make) as [T, ...T[]];
}

/** format dtr: DTR's envelope, one variant per type. */
export const dtrPayloadSchema = z
  .discriminatedUnion(
    "type",
    perType((type) =>
      z.strictObject({
        type: z.literal(type),
        createdAt: eventTime,
        contents: contentsOf(type),
        location: text(
          'a path in the registry\'s UI: "/repositories/<ns>/<repo>/tags/<tag>", ".../manifests/<digest>", ...',
        ),
      }),
    ),
  )
  .meta({ id: "DtrPayload", description: "DTR's webhook envelope: `type` says which `contents` it holds" });

/** format dockerhub: Docker Hub's body, TAG_PUSH only. */
export const dockerHubPayloadSchema = z
  .strictObject({
    callback_url: z.url().meta({
      description: "this attempt's own URL to POST how the receiver's work went (the validateCallback operation)",
    }),
    push_data: z.strictObject({
      pushed_at: z.int().meta({ description: "epoch seconds of the push" }),
      pusher: text('who pushed; "" when the registry does not say'),
      tag: z.string(),
    }),
    repository: z
      .strictObject({
        comment_count: z.int(),
        date_created: z.int(),
        description: z.string(),
        dockerfile: z.string(),
        full_description: z.string(),
        is_official: z.boolean(),
        is_private: z.boolean(),
        is_trusted: z.boolean(),
        name: text('the name inside the namespace ("web")'),
        namespace: z.string(),
        owner: text("the namespace, as on Hub"),
        repo_name: text('"ns/repo"'),
        repo_url: z.string(),
        star_count: z.int(),
        status: text('"Active"'),
      })
      .meta({
        description:
          "every field of Hub's example; what a registry event does not tell (comment_count, date_created, " +
          'description, dockerfile, full_description, is_*, repo_url, star_count) is 0, "" or false',
      }),
  })
  .meta({ id: "DockerHubPayload", description: "Docker Hub's webhook body, for TAG_PUSH" });

/** format cloudevents: a structured-mode CloudEvents 1.0 event, one variant per type. */
export const cloudEventPayloadSchema = z
  .discriminatedUnion(
    "type",
    perType((type) =>
      z.strictObject({
        specversion: z.literal("1.0"),
        id: text("the event's id: the same on every retry and for every webhook; source + id name the event"),
        source: text('"/repositories/<ns>/<repo>", "/namespaces/<ns>" or "/registry"'),
        type: z.literal(CLOUDEVENT_TYPES[type]).meta({ description: `Hookyard's ${type}` }),
        time: eventTime,
        datacontenttype: z.literal("application/json"),
        subject: text(
          '"<repo>:<tag>", "<repo>@<digest>", or the repository or namespace; absent for the registry',
        ).optional(),
        data: contentsOf(type),
      }),
    ),
  )
  .meta({
    id: "CloudEventPayload",
    description: "A structured-mode CloudEvents 1.0 event; `data` is DTR's `contents`",
  });
