import { z } from "zod";
import type { EventType } from "../event-types.js";
import { SCAN_STATUS } from "../payloads/contents.js";
import { MAX_ITEMS_PER_REQUEST, type ParseResult, type RegistryEvent } from "../registry-event.js";
import { isValidRepositoryName, splitRepositoryName } from "../repository-name.js";
import { eventId, eventTime, eventTimeSeconds } from "../storable.js";
import { contentHash } from "./content-hash.js";
import { type Failure, failure as fail, firstIssue } from "./first-issue.js";

/*
 * Harbor webhooks (goharbor/harbor src/pkg/notifier/formats/{default,cloudevents}.go, payload model
 * in src/pkg/notifier/model and src/controller/event/model). Objects are not strict: Harbor adds
 * fields from release to release, and what Hookyard does not read must not break ingest.
 */

const resource = z.object({
  digest: z.string().optional(),
  // The first tag, or the digest again when the artifact is untagged; absent on scan events.
  tag: z.string().optional(),
  resource_url: z.string().optional(),
  scan_overview: z.record(z.string(), z.unknown()).nullish(),
});

const repository = z.object({
  name: z.string().optional(),
  namespace: z.string().optional(),
  repo_full_name: z.string(),
  repo_type: z.string().optional(),
});

const artifactData = z.object({ resources: z.array(resource).max(MAX_ITEMS_PER_REQUEST).nullish(), repository });

const replicationResource = z.object({
  registry_name: z.string().optional(),
  registry_type: z.string().optional(),
  endpoint: z.string().optional(),
  namespace: z.string().optional(),
});

const replicatedArtifact = z.object({
  type: z.string().optional(),
  status: z.string().optional(),
  name_tag: z.string(),
  references: z.array(z.string()).nullish(),
});

const replicationData = z.object({
  replication: z.object({
    harbor_hostname: z.string().optional(),
    job_status: z.string().optional(),
    description: z.string().optional(),
    trigger_type: z.string().optional(),
    policy_creator: z.string().optional(),
    src_resource: replicationResource.nullish(),
    dest_resource: replicationResource.nullish(),
    successful_artifact: z.array(replicatedArtifact).max(MAX_ITEMS_PER_REQUEST).nullish(),
  }),
});

const defaultEnvelope = z.object({
  type: z.string().min(1),
  occur_at: eventTimeSeconds,
  operator: z.string().nullish(),
  event_data: z.unknown(),
});

const cloudEvent = z.object({
  specversion: z.literal("1.0"),
  id: eventId,
  source: eventId,
  type: z.string().min(1),
  // Optional in CloudEvents, but Harbor always sets it and Hookyard cannot date the event otherwise.
  time: eventTime,
  data: z.unknown(),
  operator: z.string().nullish(),
});

type Resource = z.infer<typeof resource>;
type Replication = z.infer<typeof replicationData>["replication"];
type ReplicationSide = z.infer<typeof replicationResource>;
type Path = readonly (string | number)[];

type HarborKind = "push" | "pull" | "delete" | "scanCompleted" | "scanFailed" | "scanStopped" | "replication";

/** Both formats' names of the types Hookyard maps; the others (retention, quota, new ones) are ignored. */
const KINDS: Record<string, HarborKind> = {
  PUSH_ARTIFACT: "push",
  PULL_ARTIFACT: "pull",
  DELETE_ARTIFACT: "delete",
  SCANNING_COMPLETED: "scanCompleted",
  SCANNING_FAILED: "scanFailed",
  SCANNING_STOPPED: "scanStopped",
  REPLICATION: "replication",
  "harbor.artifact.pushed": "push",
  "harbor.artifact.pulled": "pull",
  "harbor.artifact.deleted": "delete",
  "harbor.scan.completed": "scanCompleted",
  "harbor.scan.failed": "scanFailed",
  "harbor.scan.stopped": "scanStopped",
  "harbor.replication.status.changed": "replication",
};

/** What one Harbor event says, whichever format carried it. */
interface HarborEvent {
  kind: HarborKind;
  data: unknown;
  /** "event_data" or "data": error messages name the field as the sender wrote it. */
  dataField: string;
  actor: string | null;
  occurredAt: string;
  /** Prefix of the dedup keys of the events made from it. */
  key: string;
}

/** Tags cannot hold ":", so a "tag" that does is Harbor naming an untagged artifact by digest. */
function realTag(value: string | undefined): string | null {
  return value && !value.includes(":") ? value : null;
}

/** "harbor.example.com/library/app:1.0" -> "harbor.example.com", so imageName can be pulled as is. */
function registryHost(resourceUrl: string | undefined, fullName: string): string | null {
  for (const end of [":", "@"]) {
    const at = resourceUrl?.lastIndexOf(`/${fullName}${end}`) ?? -1;
    if (at > 0) return resourceUrl?.slice(0, at) ?? null;
  }
  return null;
}

/*
 * Harbor's severities against DTR's CVSS bands (use-the-api.md): critical is CVSS >= 7, which is
 * Harbor's Critical and High; major (4 to 7) is Medium; minor (below 4) is Low and Negligible.
 * Unknown has no score and None means nothing was found, so neither is counted.
 */
const SEVERITY_BAND: Record<string, "critical" | "major" | "minor"> = {
  Critical: "critical",
  High: "critical",
  Medium: "major",
  Low: "minor",
  Negligible: "minor",
};

const reportSummary = z.object({
  scan_status: z.string().optional(),
  end_time: eventTime.optional().catch(undefined),
  summary: z
    .object({ summary: z.record(z.string(), z.number()).nullish() })
    .nullish()
    .catch(null),
});

/**
 * scan_overview is keyed by report MIME type (one per scanner report kind); the vulnerability
 * report is the one with severities, so the first entry that has a summary is taken.
 */
function scanReport(overview: Resource["scan_overview"]): z.infer<typeof reportSummary> | null {
  let first: z.infer<typeof reportSummary> | null = null;
  for (const value of Object.values(overview ?? {})) {
    const parsed = reportSummary.safeParse(value);
    if (!parsed.success) continue;
    if (parsed.data.summary?.summary) return parsed.data;
    first ??= parsed.data;
  }
  return first;
}

function scanSummary(overview: Resource["scan_overview"], occurredAt: string) {
  const counts = { critical: 0, major: 0, minor: 0 };
  const report = scanReport(overview);
  for (const [severity, n] of Object.entries(report?.summary?.summary ?? {})) {
    const band = Object.hasOwn(SEVERITY_BAND, severity) ? SEVERITY_BAND[severity] : undefined;
    if (band) counts[band] += n;
  }
  return {
    ...counts,
    last_scan_status: SCAN_STATUS.completed,
    check_completed_at: report?.end_time ?? occurredAt,
  };
}

/** Harbor reports no message for a failed scan, only the report's status. */
function scanError(kind: "scanFailed" | "scanStopped", overview: Resource["scan_overview"]): string {
  const status = scanReport(overview)?.scan_status;
  const what = kind === "scanStopped" ? "scan was stopped before it completed" : "scan failed";
  return status ? `${what} (Harbor scan_status "${status}")` : what;
}

function artifactTypes(kind: HarborKind, tag: string | null): EventType[] {
  switch (kind) {
    case "push":
      return tag ? ["MANIFEST_PUSH", "TAG_PUSH"] : ["MANIFEST_PUSH"];
    case "pull":
      return tag ? ["MANIFEST_PULL", "TAG_PULL"] : ["MANIFEST_PULL"];
    case "delete":
      // Harbor deletes the artifact with all its tags but names only the first one.
      return tag ? ["MANIFEST_DELETE", "TAG_DELETE"] : ["MANIFEST_DELETE"];
    case "scanCompleted":
      return ["SCAN_COMPLETED"];
    default:
      return ["SCAN_FAILED"];
  }
}

function invalidName(path: Path): Failure {
  return fail(path, 'not a valid repository name ("namespace/name", lowercase)');
}

function artifactEvents(event: HarborEvent): Failure | RegistryEvent[] {
  const parsed = artifactData.safeParse(event.data);
  if (!parsed.success) return firstIssue(parsed.error, [event.dataField]);
  const fullName = parsed.data.repository.repo_full_name;
  if (!isValidRepositoryName(fullName)) return invalidName([event.dataField, "repository", "repo_full_name"]);
  const { namespace } = splitRepositoryName(fullName);

  const events: RegistryEvent[] = [];
  for (const [index, res] of (parsed.data.resources ?? []).entries()) {
    if (!res.digest) return fail([event.dataField, "resources", index, "digest"], "required");
    const tag = realTag(res.tag);
    for (const type of artifactTypes(event.kind, tag)) {
      const data: Record<string, unknown> = {
        sourceTag: res.tag ?? null,
        resourceUrl: res.resource_url ?? null,
        registryHost: registryHost(res.resource_url, fullName),
      };
      if (type === "SCAN_COMPLETED") data.scanSummary = scanSummary(res.scan_overview, event.occurredAt);
      if (type === "SCAN_FAILED") data.error = scanError(event.kind as "scanFailed" | "scanStopped", res.scan_overview);
      events.push({
        type,
        dedupKey: `${event.key}:${index}:${type}`,
        source: "harbor",
        namespace,
        repository: fullName,
        tag: type.startsWith("MANIFEST_") ? null : tag,
        digest: res.digest,
        actor: event.actor,
        occurredAt: event.occurredAt,
        data,
      });
    }
  }
  return events;
}

function hostOf(endpoint: string | undefined): string {
  if (!endpoint) return "";
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint.replace(/^[a-z]+:\/\//i, "").split("/")[0] ?? "";
  }
}

function hostnameOf(endpoint: string | undefined): string {
  return hostOf(endpoint).replace(/:\d+$/, "").toLowerCase();
}

/**
 * Which side of a replication is this Harbor. Harbor puts its own external hostname in
 * harbor_hostname and its own endpoint on one side, so the side whose endpoint has that hostname is
 * local. Failing that (a proxy rewrote the URL), the side without a registry_name is: Harbor names
 * every remote registry but leaves its own entry unnamed. Anything else is ambiguous.
 */
export function replicationDirection(replication: Replication): "push" | "poll" | null {
  const { src_resource: src, dest_resource: dest } = replication;
  if (!src || !dest) return null;
  const self = replication.harbor_hostname?.toLowerCase();
  if (self) {
    const srcLocal = hostnameOf(src.endpoint) === self;
    const destLocal = hostnameOf(dest.endpoint) === self;
    if (srcLocal !== destLocal) return srcLocal ? "push" : "poll";
  }
  const srcUnnamed = !src.registry_name;
  const destUnnamed = !dest.registry_name;
  if (srcUnnamed !== destUnnamed) return srcUnnamed ? "push" : "poll";
  return null;
}

const ITEM_COUNT_END = " item(s) in total]";

/**
 * "app [2 item(s) in total]" -> "app". Plain string work, not a RegExp: one with "\s*" in front of
 * the count backtracked over every run of spaces (quadratic: a name_tag of 900 KB of spaces held the
 * API for minutes).
 */
function withoutItemCount(nameTag: string): string {
  const text = nameTag.trimEnd();
  if (!text.endsWith(ITEM_COUNT_END)) return text;
  const digitsEnd = text.length - ITEM_COUNT_END.length;
  const open = text.lastIndexOf("[", digitsEnd);
  const digits = text.slice(open + 1, digitsEnd);
  return open >= 0 && /^\d+$/.test(digits) ? text.slice(0, open) : text;
}

/**
 * name_tag is the repository path after the namespace, with the references: "app [2 item(s) in
 * total]" in current Harbor, "app:[v1,v2]" or "app:v1" in older ones; newer releases also list the
 * references (tags, or digests of untagged artifacts) in `references`.
 */
function replicatedImage(artifact: z.infer<typeof replicatedArtifact>): { name: string; references: string[] } {
  const text = withoutItemCount(artifact.name_tag).trim();
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  const listed = colon < 0 ? "" : text.slice(colon + 1);
  const inline = listed.replace(/^\[|\]$/g, "").split(",");
  const references = (artifact.references ?? inline).map((r) => r.trim()).filter((r) => r !== "");
  return { name, references };
}

function replicationEvents(event: HarborEvent): Failure | RegistryEvent[] {
  const parsed = replicationData.safeParse(event.data);
  if (!parsed.success) return firstIssue(parsed.error, [event.dataField]);
  const replication = parsed.data.replication;
  // Harbor reports every status change of a task; only a finished copy is an image mirrored.
  if (replication.job_status?.toLowerCase() !== "success") return [];

  const direction = replicationDirection(replication);
  if (!direction) {
    return fail(
      [event.dataField, "replication"],
      "cannot tell which of src_resource and dest_resource is this Harbor (harbor_hostname matches neither endpoint)",
    );
  }
  const type: EventType = direction === "push" ? "PUSH_MIRRORING" : "POLL_MIRRORING";
  const src = replication.src_resource as ReplicationSide;
  const dest = replication.dest_resource as ReplicationSide;
  const remote = direction === "push" ? dest : src;
  // Harbor 2.x (constructReplicationPayload, up to main) fills the remote side's namespace from the
  // task's source and the local side's from its destination, whichever way the copy went. For a
  // pull that is right; for a push the two are crossed. Either way dest_resource.namespace is the
  // local project (the one whose webhook policy sent this) and src_resource.namespace the remote.
  const localNamespace = dest.namespace ?? "";
  const remoteNamespace = src.namespace ?? "";

  const events: RegistryEvent[] = [];
  for (const [index, artifact] of (replication.successful_artifact ?? []).entries()) {
    const { name, references } = replicatedImage(artifact);
    const fullName = `${localNamespace}/${name}`;
    if (!isValidRepositoryName(fullName)) {
      return invalidName([event.dataField, "replication", "successful_artifact", index, "name_tag"]);
    }
    const tag = references.find((r) => !r.includes(":")) ?? null;
    const digest = references.find((r) => r.includes(":")) ?? null;
    events.push({
      type,
      dedupKey: `${event.key}:${index}:${type}`,
      source: "harbor",
      namespace: splitRepositoryName(fullName).namespace,
      repository: fullName,
      tag,
      digest,
      actor: event.actor,
      occurredAt: event.occurredAt,
      data: {
        // Harbor names the remote repository only through its namespace; the path after it is
        // kept, as replication does unless the policy flattens it.
        remote: { host: hostOf(remote.endpoint), repository: remoteNamespace ? `${remoteNamespace}/${name}` : name },
        references,
        remoteRegistry: { name: remote.registry_name ?? null, type: remote.registry_type ?? null },
        trigger: replication.trigger_type ?? null,
        policyDescription: replication.description ?? null,
      },
    });
  }
  return events;
}

function isCloudEventsType(contentType: string): boolean {
  return contentType.split(";")[0]?.trim().toLowerCase() === "application/cloudevents+json";
}

/** Both formats reduced to one; the dedup key prefix is where they differ. */
function readEnvelope(body: unknown, contentType: string): Failure | (Omit<HarborEvent, "kind"> & { type: string }) {
  if (isCloudEventsType(contentType)) {
    const parsed = cloudEvent.safeParse(body);
    if (!parsed.success) return firstIssue(parsed.error, []);
    const ce = parsed.data;
    return {
      type: ce.type,
      data: ce.data,
      dataField: "data",
      actor: ce.operator || null,
      occurredAt: ce.time,
      // CloudEvents: source + id identify an event. Harbor formats the event once and re-sends that
      // body on retries, so the id is stable across them.
      key: `harbor:${ce.source}:${ce.id}`,
    };
  }
  const parsed = defaultEnvelope.safeParse(body);
  if (!parsed.success) return firstIssue(parsed.error, []);
  const harbor = parsed.data;
  return {
    type: harbor.type,
    data: harbor.event_data,
    dataField: "event_data",
    actor: harbor.operator || null,
    occurredAt: harbor.occur_at,
    // The default format has no id. Harbor's retries re-send the very body it built once, so the
    // body's content is the identity; two events equal in every field (same operator, artifact and
    // second) are indistinguishable anyway.
    key: `harbor:sha256:${contentHash(body)}`,
  };
}

/**
 * A Harbor webhook in the default format (application/json) or as a structured CloudEvent
 * (application/cloudevents+json); `contentType` is the request's Content-Type header.
 */
export function parseHarborWebhook(body: unknown, contentType: string): ParseResult {
  const envelope = readEnvelope(body, contentType);
  if ("ok" in envelope) return envelope;
  // Own keys only: a type named "constructor" or "toString" is no Harbor type, not Object's.
  const kind = Object.hasOwn(KINDS, envelope.type) ? KINDS[envelope.type] : undefined;
  if (!kind) return { ok: true, events: [], ignored: 1 };

  const event: HarborEvent = { ...envelope, kind };
  const events = kind === "replication" ? replicationEvents(event) : artifactEvents(event);
  if ("ok" in events) return events;
  return { ok: true, events, ignored: events.length === 0 ? 1 : 0 };
}
