import { z } from "zod";
import type { EventType } from "../event-types.js";
import type { OperationalContents } from "../operational-events.js";
import { isValidRepositoryName } from "../repository-name.js";
import { eventTimeText } from "../storable.js";

/*
 * The DTR `contents` of every event type, as Hookyard delivers them, and the schemas native
 * publishers' `contents` must pass (contract: POST /api/v1/events).
 *
 * DTR documents TAG_PUSH, TAG_DELETE, MANIFEST_PUSH, MANIFEST_DELETE, SCAN_COMPLETED, SCAN_FAILED,
 * REPO_* and SCANNER_UPDATE_COMPLETED (docker/docs ee/dtr/admin/manage-webhooks/use-the-api.md).
 * The pulls, PROMOTION and the mirroring events have no documented shape; Hookyard's follow the
 * same style (docs/event-payloads.md). Unknown values are empty strings, as in DTR's samples, so a
 * receiver always finds every field.
 *
 * These are object type aliases rather than interfaces so that they stay assignable to the
 * envelope's Record<string, unknown>.
 */

/** TAG_PUSH, TAG_PULL, TAG_DELETE; the MANIFEST_* ones have no tag. Exactly one time field is set. */
export type ImageContents = {
  namespace: string;
  /** The name inside the namespace ("web" for "acme/web"), as in DTR. */
  repository: string;
  tag?: string;
  digest: string;
  imageName: string;
  os: string;
  architecture: string;
  author: string;
  pushedAt?: string;
  pulledAt?: string;
  deletedAt?: string;
};

export type ScanSummary = {
  namespace: string;
  repository: string;
  tag: string;
  /** CVSS >= 7.0 */
  critical: number;
  /** 4.0 <= CVSS < 7.0 */
  major: number;
  /** 0 < CVSS < 4.0 */
  minor: number;
  last_scan_status: number;
  check_completed_at: string;
};

export type ScanCompletedContents = {
  namespace: string;
  repository: string;
  tag: string;
  imageName: string;
  scanSummary: ScanSummary;
};

export type ScanFailedContents = {
  namespace: string;
  repository: string;
  tag: string;
  imageName: string;
  error: string;
};

/** Designed by Hookyard: the promoted image (source) and where it went (target). */
export type PromotionContents = {
  namespace: string;
  repository: string;
  tag: string;
  digest: string;
  imageName: string;
  author: string;
  promotedAt: string;
  /** The policy that promoted the image; empty for a manual promotion. */
  promotionPolicy: string;
  target: { namespace: string; repository: string; tag: string; imageName: string };
};

/**
 * Designed by Hookyard. The top-level image is always the one in this registry: the source of a
 * PUSH_MIRRORING, the destination of a POLL_MIRRORING; `remote` is the other registry's side.
 */
export type MirroringContents = {
  namespace: string;
  repository: string;
  tag: string;
  digest: string;
  imageName: string;
  direction: "push" | "poll";
  remote: { host: string; repository: string; tag: string };
  author: string;
  mirroredAt: string;
};

export type RepositoryEventContents = {
  namespace: string;
  repository: string;
  event: "REPO_CREATED" | "REPO_UPDATED" | "REPO_DELETED";
  author: string;
  /** The repository object, as the registry's repository API answers it. */
  data: Record<string, unknown>;
  /** Only on a REPO_UPDATED that renamed or moved the repository (GitLab's registry reports these). */
  rename?: RepositoryRename;
};

/**
 * Designed by Hookyard (DTR has no rename event): the repository's path before and after, each
 * split as DTR splits names. `type` is the source's own word for it (GitLab: "name" when the last
 * path component changed, "namespace" when the repository moved under another path); "" when unsaid.
 */
export type RepositoryRename = {
  type: string;
  from: { namespace: string; repository: string };
  to: { namespace: string; repository: string };
};

export type ScannerReplica = { db_updated_at: string; version: string; replica_id: string };

export type ScannerUpdateContents = {
  scanner_version: string;
  scanner_updated_at: string;
  db_version: number;
  db_updated_at: string;
  success: boolean;
  replicas: Record<string, ScannerReplica>;
};

export type DtrContents =
  | ImageContents
  | ScanCompletedContents
  | ScanFailedContents
  | PromotionContents
  | MirroringContents
  | RepositoryEventContents
  | ScannerUpdateContents
  | OperationalContents;

/** DTR's `last_scan_status` enum (use-the-api.md, "Security scan status codes"). */
export const SCAN_STATUS = {
  failed: 0,
  unscanned: 1,
  scanning: 2,
  pending: 3,
  scanned: 4,
  checking: 5,
  completed: 6,
} as const;

/*
 * Native contents. A publisher sends only what the event's own fields (repository, namespace, tag,
 * digest, occurredAt) cannot say; Hookyard fills namespace, repository, tag, digest, imageName and
 * the time fields from those. The objects are strict: a misspelt optional field ("promotion_policy")
 * is refused with its name rather than silently dropped, and loosening later breaks nobody.
 */

const timestamp = eventTimeText;
const count = z.int().nonnegative();
const author = z.string().optional();

const imageInput = z.strictObject({
  os: z.string().optional(),
  architecture: z.string().optional(),
  author,
});

const scanCompletedInput = z.strictObject({
  scanSummary: z.strictObject({
    critical: count,
    major: count,
    minor: count,
    last_scan_status: z.int().min(SCAN_STATUS.failed).max(SCAN_STATUS.completed).optional(),
    check_completed_at: timestamp.optional(),
  }),
});

const scanFailedInput = z.strictObject({ error: z.string().min(1) });

const promotionInput = z.strictObject({
  author,
  promotionPolicy: z.string().optional(),
  target: z.strictObject({
    repository: z.string().refine(isValidRepositoryName, {
      message: 'not a valid repository name ("namespace/name", lowercase)',
    }),
    tag: z.string().min(1),
  }),
});

// The remote side is another registry, whose names need not follow Hookyard's grammar (Docker Hub
// answers for "alpine"), so only its presence is checked.
const mirroringInput = z.strictObject({
  author,
  remote: z.strictObject({
    host: z.string().min(1),
    repository: z.string().min(1),
    tag: z.string().min(1).optional(),
  }),
});

const repositoryEventInput = z.strictObject({
  author,
  data: z.record(z.string(), z.unknown()).optional(),
});

const scannerUpdateInput = z.strictObject({
  scanner_version: z.string().min(1),
  scanner_updated_at: timestamp.optional(),
  db_version: count,
  db_updated_at: timestamp.optional(),
  success: z.boolean(),
  replicas: z
    .record(
      z.string(),
      z.strictObject({ db_updated_at: timestamp, version: z.string(), replica_id: z.string().optional() }),
    )
    .optional(),
});

const NATIVE_CONTENTS: Record<EventType, z.ZodType<Record<string, unknown>>> = {
  TAG_PUSH: imageInput,
  TAG_PULL: imageInput,
  TAG_DELETE: imageInput,
  MANIFEST_PUSH: imageInput,
  MANIFEST_PULL: imageInput,
  MANIFEST_DELETE: imageInput,
  SCAN_COMPLETED: scanCompletedInput,
  SCAN_FAILED: scanFailedInput,
  PROMOTION: promotionInput,
  PUSH_MIRRORING: mirroringInput,
  POLL_MIRRORING: mirroringInput,
  REPO_CREATED: repositoryEventInput,
  REPO_UPDATED: repositoryEventInput,
  REPO_DELETED: repositoryEventInput,
  SCANNER_UPDATE_COMPLETED: scannerUpdateInput,
  // Hookyard's own: refused before this is asked (sources/native.ts), so nothing may pass.
  WEBHOOK_DISABLED: z.never(),
  WEBHOOK_ENABLED: z.never(),
  DELIVERY_EXHAUSTED: z.never(),
  CHAIN_RUN_ENDED: z.never(),
};

/**
 * The schema a native event's `contents` must pass. Parse `contents ?? {}`: the types whose shape
 * has required fields (scans, promotion, mirroring, scanner updates) then fail on the first of them.
 */
export function nativeContentsSchema(type: EventType): z.ZodType<Record<string, unknown>> {
  return NATIVE_CONTENTS[type];
}
