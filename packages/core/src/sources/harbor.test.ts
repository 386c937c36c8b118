import { describe, expect, it } from "vitest";
import type { ParseResult, RegistryEvent } from "../registry-event.js";
import { parseHarborWebhook, replicationDirection } from "./harbor.js";

/*
 * Bodies shaped as Harbor 2.x sends them: the Default format (pkg/notifier/formats/default.go, the
 * model of pkg/notifier/model) and structured CloudEvents (formats/cloudevents.go). The samples
 * follow Harbor's own documented payloads: an untagged artifact's "tag" is its digest, scan events
 * carry scan_overview keyed by report MIME type and no tag when scanned by digest, replication
 * events carry no repository and no resources.
 */

const DIGEST = "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4";
const OTHER_DIGEST = "sha256:2bb501e6173d9d006e56de5bce2720eb06396803300fe1687b58a7ff32bf4c14";
const OCCUR_AT = 1_795_428_000; // 2026-11-23T10:00:00Z
const OCCURRED = "2026-11-23T10:00:00.000Z";
const JSON_TYPE = "application/json";
const CE_TYPE = "application/cloudevents+json";
const VULN_REPORT = "application/vnd.security.vulnerability.report; version=1.1";

const repository = {
  date_created: 1_795_000_000,
  name: "web",
  namespace: "acme",
  repo_full_name: "acme/web",
  repo_type: "private",
};

function res(tag: string | undefined, digest = DIGEST, extra: Record<string, unknown> = {}) {
  const ref = tag && !tag.includes(":") ? `:${tag}` : `@${digest}`;
  return {
    digest,
    ...(tag !== undefined ? { tag } : {}),
    resource_url: `harbor.example.com/acme/web${ref}`,
    ...extra,
  };
}

function harbor(type: string, eventData: Record<string, unknown>, operator = "alice") {
  return { type, occur_at: OCCUR_AT, operator, event_data: eventData };
}

function artifact(type: string, resources: unknown[], operator = "alice") {
  return harbor(type, { resources, repository }, operator);
}

function cloudEvent(type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    specversion: "1.0",
    requestid: "2eedfab8-61d3-4f3c-8ec3-8f82d1ec4c84",
    id: "4b2f89a6-548d-4c12-9993-a1f5790b97d2",
    source: "/projects/1/webhook/policies/3",
    type,
    datacontenttype: "application/json",
    time: "2026-11-23T10:00:00Z",
    data,
    operator: "alice",
    ...extra,
  };
}

function scanOverview(summary: Record<string, number> | null, status = "Success") {
  return {
    [VULN_REPORT]: {
      report_id: "af0546c1-67dc-4e9d-927e-372900ead0df",
      scan_status: status,
      severity: summary ? "High" : "",
      duration: 8,
      summary: summary ? { total: Object.values(summary).reduce((a, b) => a + b, 0), fixable: 0, summary } : null,
      start_time: "2026-11-23T09:59:52Z",
      end_time: "2026-11-23T10:00:00Z",
      scanner: { name: "Trivy", vendor: "Aqua Security", version: "v0.50.1" },
      complete_percent: summary ? 100 : 0,
    },
  };
}

function parseOk(body: unknown, contentType = JSON_TYPE) {
  const result = parseHarborWebhook(body, contentType);
  if (!result.ok) throw new Error(`expected the body to parse, got: ${result.message}`);
  return result;
}

function parseError(body: unknown, contentType = JSON_TYPE) {
  const result: ParseResult = parseHarborWebhook(body, contentType);
  if (result.ok) throw new Error(`expected a failure, got ${result.events.length} events`);
  return result;
}

const types = (events: RegistryEvent[]) => events.map((e) => e.type).sort();

function only(events: RegistryEvent[], type: string): RegistryEvent {
  const matching = events.filter((e) => e.type === type);
  expect(matching).toHaveLength(1);
  return matching[0] as RegistryEvent;
}

describe("parseHarborWebhook: artifacts (default format)", () => {
  it("turns a push by tag into MANIFEST_PUSH and TAG_PUSH", () => {
    const { events, ignored } = parseOk(artifact("PUSH_ARTIFACT", [res("1.0")]));
    expect(types(events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
    expect(ignored).toBe(0);
    expect(only(events, "TAG_PUSH")).toStrictEqual({
      type: "TAG_PUSH",
      dedupKey: expect.stringMatching(/^harbor:sha256:[0-9a-f]{64}:0:TAG_PUSH$/),
      source: "harbor",
      namespace: "acme",
      repository: "acme/web",
      tag: "1.0",
      digest: DIGEST,
      actor: "alice",
      occurredAt: OCCURRED,
      data: { sourceTag: "1.0", resourceUrl: "harbor.example.com/acme/web:1.0", registryHost: "harbor.example.com" },
    });
    expect(only(events, "MANIFEST_PUSH")).toMatchObject({ tag: null, digest: DIGEST });
  });

  it("turns a push of an untagged artifact (tag = digest) into MANIFEST_PUSH only", () => {
    const { events } = parseOk(artifact("PUSH_ARTIFACT", [res(DIGEST)], "harbor-jobservice"));
    expect(types(events)).toEqual(["MANIFEST_PUSH"]);
    expect(only(events, "MANIFEST_PUSH")).toMatchObject({ tag: null, digest: DIGEST, actor: "harbor-jobservice" });
  });

  it("turns pulls into MANIFEST_PULL, and TAG_PULL when pulled by tag", () => {
    expect(types(parseOk(artifact("PULL_ARTIFACT", [res("1.0")])).events)).toEqual(["MANIFEST_PULL", "TAG_PULL"]);
    expect(types(parseOk(artifact("PULL_ARTIFACT", [res(DIGEST)])).events)).toEqual(["MANIFEST_PULL"]);
  });

  it("turns a delete into MANIFEST_DELETE, and TAG_DELETE for the tag Harbor names", () => {
    const { events } = parseOk(artifact("DELETE_ARTIFACT", [res("3.8", OTHER_DIGEST)]));
    expect(types(events)).toEqual(["MANIFEST_DELETE", "TAG_DELETE"]);
    expect(only(events, "TAG_DELETE")).toMatchObject({ tag: "3.8", digest: OTHER_DIGEST });
    expect(types(parseOk(artifact("DELETE_ARTIFACT", [res(OTHER_DIGEST, OTHER_DIGEST)])).events)).toEqual([
      "MANIFEST_DELETE",
    ]);
  });

  it("makes one event per resource per type, each with its own dedup key", () => {
    const { events } = parseOk(artifact("PUSH_ARTIFACT", [res("1.0"), res("2.0", OTHER_DIGEST)]));
    expect(types(events)).toEqual(["MANIFEST_PUSH", "MANIFEST_PUSH", "TAG_PUSH", "TAG_PUSH"]);
    expect(new Set(events.map((e) => e.dedupKey)).size).toBe(4);
    expect(events.filter((e) => e.type === "TAG_PUSH").map((e) => e.tag)).toEqual(["1.0", "2.0"]);
  });

  it("reads occur_at as unix seconds and an empty operator as no actor", () => {
    const { events } = parseOk(artifact("PULL_ARTIFACT", [res("1.0")], ""));
    for (const event of events) {
      expect(event.occurredAt).toBe(OCCURRED);
      expect(event.actor).toBeNull();
    }
  });

  it("keeps a nested repository whole and takes its namespace from the first component", () => {
    const nested = { ...repository, name: "team/web", repo_full_name: "acme/team/web" };
    const { events } = parseOk(harbor("PUSH_ARTIFACT", { resources: [res("1.0")], repository: nested }));
    expect(only(events, "TAG_PUSH")).toMatchObject({ namespace: "acme", repository: "acme/team/web" });
  });

  it("accepts a push with no resources as nothing to deliver", () => {
    expect(parseOk(artifact("PUSH_ARTIFACT", []))).toStrictEqual({ ok: true, events: [], ignored: 1 });
  });
});

describe("parseHarborWebhook: scans", () => {
  it("turns SCANNING_COMPLETED into SCAN_COMPLETED with a DTR scan summary", () => {
    const overview = scanOverview({ Critical: 1, High: 2, Medium: 3, Low: 4, Negligible: 5, Unknown: 6 });
    const { events } = parseOk(
      artifact("SCANNING_COMPLETED", [res("1.0", DIGEST, { scan_overview: overview })], "auto"),
    );
    expect(types(events)).toEqual(["SCAN_COMPLETED"]);
    const scan = only(events, "SCAN_COMPLETED");
    expect(scan).toMatchObject({ tag: "1.0", digest: DIGEST, actor: "auto" });
    // DTR's bands: critical CVSS >= 7 (Critical, High), major 4-7 (Medium), minor < 4 (Low, Negligible).
    expect(scan.data.scanSummary).toStrictEqual({
      critical: 3,
      major: 3,
      minor: 9,
      last_scan_status: 6,
      check_completed_at: OCCURRED,
    });
  });

  it("counts nothing for a clean scan whose summary is empty", () => {
    const { events } = parseOk(
      artifact("SCANNING_COMPLETED", [res(undefined, DIGEST, { scan_overview: scanOverview({}) })]),
    );
    const scan = only(events, "SCAN_COMPLETED");
    expect(scan.tag).toBeNull();
    expect(scan.data.scanSummary).toMatchObject({ critical: 0, major: 0, minor: 0 });
  });

  it("takes the report that has severities when several report types are listed", () => {
    const overview = {
      "application/vnd.security.sbom.report+json; version=1.0": { report_id: "x", scan_status: "Success" },
      ...scanOverview({ Critical: 2 }),
    };
    const { events } = parseOk(artifact("SCANNING_COMPLETED", [res("1.0", DIGEST, { scan_overview: overview })]));
    expect(only(events, "SCAN_COMPLETED").data.scanSummary).toMatchObject({ critical: 2 });
  });

  it("turns SCANNING_FAILED into SCAN_FAILED with an error", () => {
    const overview = scanOverview(null, "Error");
    const { events } = parseOk(artifact("SCANNING_FAILED", [res(undefined, DIGEST, { scan_overview: overview })]));
    const failed = only(events, "SCAN_FAILED");
    expect(failed.data.error).toContain("failed");
    expect(failed.data.error).toContain("Error");
  });

  it("turns SCANNING_STOPPED into SCAN_FAILED saying it was stopped", () => {
    const overview = scanOverview(null, "Stopped");
    const { events } = parseOk(artifact("SCANNING_STOPPED", [res("1.0", DIGEST, { scan_overview: overview })]));
    expect(only(events, "SCAN_FAILED").data.error).toContain("stopped");
  });
});

describe("parseHarborWebhook: ignored types", () => {
  it.each([
    ["TAG_RETENTION", { retention: { total: 1, retained: 0, project_name: "acme", result: "SUCCESS" } }],
    ["QUOTA_EXCEED", { resources: [{ digest: DIGEST }], repository, custom_attributes: { Details: "over" } }],
    ["QUOTA_WARNING", { resources: [{ digest: DIGEST }], repository, custom_attributes: { Details: "85%" } }],
    ["SOME_FUTURE_EVENT", {}],
    // Names of Object's own properties are no Harbor types either.
    ["constructor", { resources: [{ digest: DIGEST }], repository }],
    ["toString", {}],
    ["__proto__", {}],
  ])("counts %s as ignored", (type, data) => {
    expect(parseOk(harbor(type, data, ""))).toStrictEqual({ ok: true, events: [], ignored: 1 });
  });

  it.each(["harbor.tag_retention.finished", "harbor.quota.exceeded", "harbor.quota.warned", "harbor.tag.created"])(
    "counts the CloudEvent %s as ignored",
    (type) => {
      expect(parseOk(cloudEvent(type, {}), CE_TYPE)).toStrictEqual({ ok: true, events: [], ignored: 1 });
    },
  );
});

describe("parseHarborWebhook: CloudEvents", () => {
  it("reads a structured CloudEvent of a pushed artifact", () => {
    const body = cloudEvent("harbor.artifact.pushed", { resources: [res("1.0")], repository });
    const { events } = parseOk(body, CE_TYPE);
    expect(types(events)).toEqual(["MANIFEST_PUSH", "TAG_PUSH"]);
    expect(only(events, "TAG_PUSH")).toMatchObject({
      dedupKey: "harbor:/projects/1/webhook/policies/3:4b2f89a6-548d-4c12-9993-a1f5790b97d2:0:TAG_PUSH",
      source: "harbor",
      repository: "acme/web",
      tag: "1.0",
      actor: "alice",
      occurredAt: OCCURRED,
    });
  });

  it.each([
    ["harbor.artifact.pulled", ["MANIFEST_PULL", "TAG_PULL"]],
    ["harbor.artifact.deleted", ["MANIFEST_DELETE", "TAG_DELETE"]],
    ["harbor.scan.completed", ["SCAN_COMPLETED"]],
    ["harbor.scan.failed", ["SCAN_FAILED"]],
    ["harbor.scan.stopped", ["SCAN_FAILED"]],
  ])("maps %s to %j", (type, expected) => {
    const body = cloudEvent(type, { resources: [res("1.0")], repository });
    expect(types(parseOk(body, CE_TYPE).events)).toEqual(expected);
  });

  it("reads the media type whatever its case and parameters", () => {
    const body = cloudEvent("harbor.artifact.pushed", { resources: [res("1.0")], repository });
    expect(parseOk(body, "Application/CloudEvents+JSON; charset=utf-8").events).toHaveLength(2);
  });

  it("keys on source and id, so the same event re-sent is the same and another id is not", () => {
    const body = cloudEvent("harbor.artifact.pushed", { resources: [res("1.0")], repository });
    const keys = (b: unknown) => parseOk(b, CE_TYPE).events.map((e) => e.dedupKey);
    expect(keys(structuredClone(body))).toEqual(keys(body));
    expect(keys({ ...body, id: "another" })).not.toEqual(keys(body));
    expect(keys({ ...body, source: "/projects/2/webhook/policies/9" })).not.toEqual(keys(body));
  });

  it("names data, not event_data, when the CloudEvent's data is wrong", () => {
    const body = cloudEvent("harbor.artifact.pushed", {
      resources: [res("1.0")],
      repository: { ...repository, repo_full_name: "Acme/Web" },
    });
    expect(parseError(body, CE_TYPE).field).toBe("data.repository.repo_full_name");
  });

  it.each([
    ["time", { time: undefined }],
    ["id", { id: undefined }],
    ["source", { source: "" }],
    ["specversion", { specversion: "0.3" }],
  ])("refuses a CloudEvent without a valid %s, naming it", (field, change) => {
    const body = { ...cloudEvent("harbor.artifact.pushed", { resources: [res("1.0")], repository }), ...change };
    expect(parseError(body, CE_TYPE).field).toBe(field);
  });
});

describe("parseHarborWebhook: dedup keys of the default format", () => {
  it("gives the same keys to a re-sent body, whatever the order of its keys", () => {
    const body = artifact("PUSH_ARTIFACT", [res("1.0")]);
    const reordered = {
      event_data: { repository: { ...repository }, resources: [res("1.0")] },
      operator: "alice",
      occur_at: OCCUR_AT,
      type: "PUSH_ARTIFACT",
    };
    const keys = (b: unknown) => parseOk(b).events.map((e) => e.dedupKey);
    expect(keys(reordered)).toEqual(keys(body));
  });

  it("gives different keys to events that differ in any field", () => {
    const keys = (b: unknown) => parseOk(b).events.map((e) => e.dedupKey);
    const base = keys(artifact("PULL_ARTIFACT", [res("1.0")]));
    expect(keys(artifact("PULL_ARTIFACT", [res("1.0")], "bob"))).not.toEqual(base);
    expect(keys({ ...artifact("PULL_ARTIFACT", [res("1.0")]), occur_at: OCCUR_AT + 1 })).not.toEqual(base);
  });
});

describe("parseHarborWebhook: replication", () => {
  /** Pull mode, as in Harbor's documented sample: Docker Hub (src) into this Harbor (dest). */
  const pulled = (
    status = "Success",
    artifacts: unknown[] = [{ type: "image", status, name_tag: "alpine [1 item(s) in total]", references: ["3.20"] }],
  ) =>
    harbor(
      "REPLICATION",
      {
        replication: {
          harbor_hostname: "harbor.example.com",
          job_status: status,
          artifact_type: "image",
          override_mode: true,
          trigger_type: "MANUAL",
          policy_creator: "admin",
          execution_timestamp: OCCUR_AT - 20,
          src_resource: {
            registry_name: "hub",
            registry_type: "docker-hub",
            endpoint: "https://hub.docker.com",
            namespace: "library",
          },
          dest_resource: { registry_type: "harbor", endpoint: "https://harbor.example.com", namespace: "acme" },
          ...(status === "Success" ? { successful_artifact: artifacts } : {}),
        },
      },
      "MANUAL",
    );

  /**
   * Push mode: this Harbor (src) to a remote Harbor (dest). Harbor labels the namespaces crosswise
   * in this direction: the local project's name sits on dest_resource, the remote's on src_resource.
   */
  const pushed = () =>
    harbor("REPLICATION", {
      replication: {
        harbor_hostname: "harbor.example.com",
        job_status: "Success",
        trigger_type: "event_based",
        src_resource: { registry_type: "harbor", endpoint: "https://harbor.example.com", namespace: "mirror" },
        dest_resource: {
          registry_name: "dr-site",
          registry_type: "harbor",
          endpoint: "https://harbor.dr.example.com",
          namespace: "acme",
        },
        successful_artifact: [
          { type: "image", status: "Success", name_tag: "web [1 item(s) in total]", references: ["1.0"] },
        ],
      },
    });

  it("turns a copy from a remote registry into this Harbor into POLL_MIRRORING", () => {
    const { events, ignored } = parseOk(pulled());
    expect(ignored).toBe(0);
    expect(events).toStrictEqual([
      {
        type: "POLL_MIRRORING",
        dedupKey: expect.stringMatching(/^harbor:sha256:[0-9a-f]{64}:0:POLL_MIRRORING$/),
        source: "harbor",
        namespace: "acme",
        repository: "acme/alpine",
        tag: "3.20",
        digest: null,
        actor: "MANUAL",
        occurredAt: OCCURRED,
        data: {
          remote: { host: "hub.docker.com", repository: "library/alpine" },
          references: ["3.20"],
          remoteRegistry: { name: "hub", type: "docker-hub" },
          trigger: "MANUAL",
          policyDescription: null,
        },
      },
    ]);
  });

  it("turns a copy from this Harbor to a remote registry into PUSH_MIRRORING, on the local repository", () => {
    const event = only(parseOk(pushed()).events, "PUSH_MIRRORING");
    expect(event).toMatchObject({ namespace: "acme", repository: "acme/web", tag: "1.0" });
    expect(event.data.remote).toStrictEqual({ host: "harbor.dr.example.com", repository: "mirror/web" });
  });

  it("reads the references of older Harbor versions from name_tag", () => {
    const artifacts = [{ type: "image", status: "Success", name_tag: "alpine:[3.20,latest]" }];
    expect(only(parseOk(pulled("Success", artifacts)).events, "POLL_MIRRORING").tag).toBe("3.20");
    const untagged = [
      { type: "image", status: "Success", name_tag: "alpine [1 item(s) in total]", references: [DIGEST] },
    ];
    expect(only(parseOk(pulled("Success", untagged)).events, "POLL_MIRRORING")).toMatchObject({
      tag: null,
      digest: DIGEST,
    });
  });

  it.each(["Pending", "Running", "Error", "Stopped"])(
    "counts a replication with job_status %s as ignored",
    (status) => {
      expect(parseOk(pulled(status))).toStrictEqual({ ok: true, events: [], ignored: 1 });
    },
  );

  it("reads a CloudEvent of a replication", () => {
    const body = pulled();
    const ce = cloudEvent("harbor.replication.status.changed", body.event_data, { operator: "MANUAL" });
    expect(only(parseOk(ce, CE_TYPE).events, "POLL_MIRRORING").repository).toBe("acme/alpine");
  });

  it("refuses a replication whose local name is not a valid repository name, naming the field", () => {
    const artifacts = [{ type: "image", status: "Success", name_tag: "Alpine [1 item(s) in total]" }];
    const error = parseError(pulled("Success", artifacts));
    expect(error.field).toBe("event_data.replication.successful_artifact[0].name_tag");
  });

  it("refuses a replication where neither side is recognisably this Harbor", () => {
    const body = pulled();
    const replication = body.event_data.replication as Record<string, unknown>;
    replication.dest_resource = {
      registry_name: "other",
      registry_type: "harbor",
      endpoint: "https://elsewhere.example.com",
      namespace: "acme",
    };
    const error = parseError(body);
    expect(error.field).toBe("event_data.replication");
  });
});

describe("replicationDirection", () => {
  const local = { registry_type: "harbor", endpoint: "https://harbor.example.com:8443", namespace: "acme" };
  const remote = {
    registry_name: "hub",
    registry_type: "docker-hub",
    endpoint: "https://hub.docker.com",
    namespace: "library",
  };

  it("finds this Harbor by harbor_hostname, ignoring the port", () => {
    expect(
      replicationDirection({ harbor_hostname: "harbor.example.com", src_resource: local, dest_resource: remote }),
    ).toBe("push");
    expect(
      replicationDirection({ harbor_hostname: "harbor.example.com", src_resource: remote, dest_resource: local }),
    ).toBe("poll");
  });

  it("falls back to the unnamed side when the hostname matches neither endpoint", () => {
    expect(replicationDirection({ harbor_hostname: "core", src_resource: remote, dest_resource: local })).toBe("poll");
    expect(replicationDirection({ src_resource: local, dest_resource: remote })).toBe("push");
  });

  it("tells a remote Harbor from this one by hostname even though both are of type harbor", () => {
    const remoteHarbor = { registry_name: "dr", registry_type: "harbor", endpoint: "https://harbor.dr.example.com" };
    expect(
      replicationDirection({ harbor_hostname: "harbor.example.com", src_resource: remoteHarbor, dest_resource: local }),
    ).toBe("poll");
  });

  it("gives up when both sides or neither look local", () => {
    expect(replicationDirection({ src_resource: remote, dest_resource: remote })).toBeNull();
    expect(replicationDirection({ src_resource: local, dest_resource: local })).toBeNull();
    expect(replicationDirection({ src_resource: local })).toBeNull();
  });
});

describe("parseHarborWebhook: invalid bodies", () => {
  it.each([
    ["a string", "not json"],
    ["null", null],
    ["an array", [artifact("PUSH_ARTIFACT", [res("1.0")])]],
  ])("rejects %s", (_label, body) => {
    expect(parseError(body).message.length).toBeGreaterThan(0);
  });

  it.each([
    ["type", { type: undefined }],
    ["occur_at", { occur_at: "2026-11-23T10:00:00Z" }],
    ["occur_at", { occur_at: -1 }],
  ])("rejects a default-format body without a valid %s, naming it", (field, change) => {
    const body = { ...artifact("PUSH_ARTIFACT", [res("1.0")]), ...change };
    expect(parseError(body).field).toBe(field);
  });

  it.each(["Acme/Web", "noslash", "acme//web", ""])("rejects the repository name %j, naming the field", (name) => {
    const body = harbor("PUSH_ARTIFACT", {
      resources: [res("1.0")],
      repository: { ...repository, repo_full_name: name },
    });
    const error = parseError(body);
    expect(error.field).toBe("event_data.repository.repo_full_name");
    expect(error.message).toContain("event_data.repository.repo_full_name");
  });

  it("rejects an artifact event without a repository, naming the field", () => {
    expect(parseError(harbor("PUSH_ARTIFACT", { resources: [res("1.0")] })).field).toBe("event_data.repository");
  });

  it("rejects a resource without a digest, naming its index", () => {
    const error = parseError(artifact("PUSH_ARTIFACT", [res("1.0"), { tag: "2.0" }]));
    expect(error.field).toBe("event_data.resources[1].digest");
  });

  it("rejects a replication event without its replication data", () => {
    expect(parseError(harbor("REPLICATION", {})).field).toBe("event_data.replication");
  });
});
