import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, type EventType, type OperationalEventType } from "../event-types.js";
import { type OperationalOutboxRow, operationalEvent } from "../operational-events.js";
import type { RegistryEvent } from "../registry-event.js";
import { parseDistributionEnvelope } from "../sources/distribution.js";
import { parseHarborWebhook } from "../sources/harbor.js";
import { parseNativeEvents } from "../sources/native.js";
import { renderDtr } from "./dtr.js";

/*
 * Expectations come from the DTR webhook documentation (docker/docs ee/dtr/admin/manage-webhooks,
 * DTR 2.3 "create and manage webhooks"), whose TAG_PUSH sample is:
 *   {"type": "TAG_PUSH", "createdAt": "...", "location": "/repositories/foo/bar/tags/latest",
 *    "contents": {"namespace": "foo", "repository": "bar", "tag": "latest", "digest": "sha256:...",
 *                 "imageName": "example.com/foo/bar:latest", "os": "linux", "architecture": "amd64",
 *                 "author": "", "pushedAt": "2015-01-02T15:04:05Z"}}
 * `repository` is the name inside the namespace, and unknown values are empty strings.
 */

const DIGEST = "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
const AT = "2026-11-23T10:00:00.123Z";

function event(overrides: Partial<RegistryEvent> & Pick<RegistryEvent, "type">): RegistryEvent {
  return {
    dedupKey: `test:${overrides.type}`,
    source: "distribution",
    namespace: "acme",
    repository: "acme/web",
    tag: null,
    digest: DIGEST,
    actor: "alice",
    occurredAt: AT,
    data: {},
    ...overrides,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * DTR's sample prefixes the registry host ("example.com/foo/bar:latest"); a RegistryEvent does not
 * carry the host, so the name is accepted with or without one, but nothing else.
 */
function imageName(reference: string) {
  const host = String.raw`(?:localhost(?::\d+)?|[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?|[a-z0-9-]+:\d+)`;
  return expect.stringMatching(new RegExp(`^(?:${host}/)?${escapeRegExp(reference)}$`));
}

describe("renderDtr: pushes", () => {
  it("renders TAG_PUSH with exactly DTR's fields", () => {
    const payload = renderDtr(event({ type: "TAG_PUSH", tag: "1.0" }));
    expect(payload).toStrictEqual({
      type: "TAG_PUSH",
      createdAt: AT,
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        digest: DIGEST,
        imageName: imageName("acme/web:1.0"),
        os: "",
        architecture: "",
        author: "alice",
        pushedAt: AT,
      },
      location: "/repositories/acme/web/tags/1.0",
    });
  });

  it("fills os and architecture when the source reported them", () => {
    const payload = renderDtr(event({ type: "TAG_PUSH", tag: "1.0", data: { os: "linux", architecture: "arm64" } }));
    expect(payload.contents).toMatchObject({ os: "linux", architecture: "arm64" });
  });

  it("writes an empty author for an anonymous push, as DTR's sample does", () => {
    const payload = renderDtr(event({ type: "TAG_PUSH", tag: "1.0", actor: null }));
    expect(payload.contents.author).toBe("");
  });

  it("renders MANIFEST_PUSH as TAG_PUSH without a tag, naming the image by digest", () => {
    const payload = renderDtr(event({ type: "MANIFEST_PUSH" }));
    expect(payload).toStrictEqual({
      type: "MANIFEST_PUSH",
      createdAt: AT,
      contents: {
        namespace: "acme",
        repository: "web",
        digest: DIGEST,
        imageName: imageName(`acme/web@${DIGEST}`),
        os: "",
        architecture: "",
        author: "alice",
        pushedAt: AT,
      },
      // DTR documents no location for manifests; it must still point into the repository.
      location: expect.stringMatching(/^\/repositories\/acme\/web(\/|$)/),
    });
    expect(payload.contents).not.toHaveProperty("tag");
  });

  it("keeps a MANIFEST_PUSH without a tag even when the source event had one", () => {
    const payload = renderDtr(event({ type: "MANIFEST_PUSH", tag: "1.0", data: { sourceTag: "1.0" } }));
    expect(payload.contents).not.toHaveProperty("tag");
    expect(payload.contents.imageName).toEqual(imageName(`acme/web@${DIGEST}`));
  });

  it("splits a nested repository after its namespace", () => {
    const payload = renderDtr(event({ type: "TAG_PUSH", repository: "acme/team/web", tag: "2.1" }));
    expect(payload.contents).toMatchObject({ namespace: "acme", repository: "team/web", tag: "2.1" });
    expect(payload.contents.imageName).toEqual(imageName("acme/team/web:2.1"));
    expect(payload.location).toBe("/repositories/acme/team/web/tags/2.1");
  });
});

describe("renderDtr: deletes", () => {
  it("renders TAG_DELETE as TAG_PUSH with deletedAt instead of pushedAt", () => {
    // Distribution's tag delete carries no digest: DTR's field stays, empty.
    const payload = renderDtr(event({ type: "TAG_DELETE", tag: "1.0", digest: null }));
    expect(payload).toStrictEqual({
      type: "TAG_DELETE",
      createdAt: AT,
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        digest: "",
        imageName: imageName("acme/web:1.0"),
        os: "",
        architecture: "",
        author: "alice",
        deletedAt: AT,
      },
      location: "/repositories/acme/web/tags/1.0",
    });
  });

  it("renders MANIFEST_DELETE as MANIFEST_PUSH with deletedAt", () => {
    const payload = renderDtr(event({ type: "MANIFEST_DELETE" }));
    expect(payload).toStrictEqual({
      type: "MANIFEST_DELETE",
      createdAt: AT,
      contents: {
        namespace: "acme",
        repository: "web",
        digest: DIGEST,
        imageName: imageName(`acme/web@${DIGEST}`),
        os: "",
        architecture: "",
        author: "alice",
        deletedAt: AT,
      },
      location: expect.stringMatching(/^\/repositories\/acme\/web(\/|$)/),
    });
  });
});

describe("renderDtr: pulls (no DTR shape documented; same style, with pulledAt)", () => {
  it("renders TAG_PULL like TAG_PUSH with pulledAt", () => {
    const payload = renderDtr(event({ type: "TAG_PULL", tag: "1.0", actor: "ci-bot" }));
    expect(payload).toStrictEqual({
      type: "TAG_PULL",
      createdAt: AT,
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        digest: DIGEST,
        imageName: imageName("acme/web:1.0"),
        os: "",
        architecture: "",
        author: "ci-bot",
        pulledAt: AT,
      },
      location: "/repositories/acme/web/tags/1.0",
    });
  });

  it("renders MANIFEST_PULL like MANIFEST_PUSH with pulledAt", () => {
    const payload = renderDtr(event({ type: "MANIFEST_PULL", actor: null }));
    expect(payload).toStrictEqual({
      type: "MANIFEST_PULL",
      createdAt: AT,
      contents: {
        namespace: "acme",
        repository: "web",
        digest: DIGEST,
        imageName: imageName(`acme/web@${DIGEST}`),
        os: "",
        architecture: "",
        author: "",
        pulledAt: AT,
      },
      location: expect.stringMatching(/^\/repositories\/acme\/web(\/|$)/),
    });
  });
});

describe("renderDtr: events with native contents", () => {
  it("passes a SCAN_COMPLETED event's contents through unchanged", () => {
    const contents = {
      namespace: "acme",
      repository: "web",
      tag: "1.0",
      imageName: "acme/web:1.0",
      scanSummary: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        critical: 1,
        major: 2,
        minor: 3,
        last_scan_status: 6,
        check_completed_at: "2026-11-23T10:05:00Z",
      },
    };
    const payload = renderDtr(
      event({ type: "SCAN_COMPLETED", source: "native", tag: "1.0", digest: null, data: { contents } }),
    );
    expect(payload.type).toBe("SCAN_COMPLETED");
    expect(payload.createdAt).toBe(AT);
    expect(payload.contents).toStrictEqual(contents);
    expect(payload.location.startsWith("/repositories/acme/web")).toBe(true);
  });

  it("points a namespace event (REPO_CREATED) at its namespace", () => {
    const contents = {
      namespace: "acme",
      repository: "web",
      event: "REPO_CREATED",
      author: "alice",
      data: { name: "web" },
    };
    const payload = renderDtr(
      event({ type: "REPO_CREATED", source: "native", repository: null, digest: null, data: { contents } }),
    );
    expect(payload.contents).toStrictEqual(contents);
    expect(payload.location.startsWith("/repositories/acme")).toBe(true);
  });
});

describe("renderDtr: from a real Distribution envelope", () => {
  it("renders the TAG_PUSH of a tagged push as DTR would", () => {
    const parsed = parseDistributionEnvelope({
      events: [
        {
          id: "0f6b4c1e-8d2a-4f3b-9c5d-7e1a2b3c4d5e",
          timestamp: "2026-11-23T10:00:00.123456789Z",
          action: "push",
          target: {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            size: 428,
            digest: DIGEST,
            length: 428,
            repository: "acme/web",
            url: `https://registry.example.com:5000/v2/acme/web/manifests/${DIGEST}`,
            tag: "1.0",
          },
          request: {
            id: "req-1",
            addr: "10.1.2.3:40312",
            host: "registry.example.com:5000",
            method: "PUT",
            useragent: "skopeo/1.9.3",
          },
          actor: { name: "alice" },
          source: { addr: "registry:5000", instanceID: "b1c2d3e4-0000-4000-8000-000000000000" },
        },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.message);
    const tagPush = parsed.events.find((e) => e.type === "TAG_PUSH");
    if (!tagPush) throw new Error("no TAG_PUSH");

    const payload = renderDtr(tagPush);
    expect(payload).toStrictEqual({
      type: "TAG_PUSH",
      createdAt: expect.any(String),
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        digest: DIGEST,
        imageName: imageName("acme/web:1.0"),
        os: "",
        architecture: "",
        author: "alice",
        pushedAt: expect.any(String),
      },
      location: "/repositories/acme/web/tags/1.0",
    });
    expect(Date.parse(payload.contents.pushedAt as string)).toBe(Date.UTC(2026, 10, 23, 10, 0, 0, 123));
    expect(Date.parse(payload.createdAt)).toBe(Date.UTC(2026, 10, 23, 10, 0, 0, 123));
  });

  it("renders the same body for a re-sent envelope (so retries and duplicates match)", () => {
    const body = {
      events: [
        {
          id: "11111111-2222-4333-8444-555555555555",
          timestamp: "2026-11-23T10:00:00.123456789Z",
          action: "delete",
          target: { digest: DIGEST, repository: "acme/web" },
          request: { id: "r", addr: "10.0.0.1:1", host: "registry.example.com", method: "DELETE", useragent: "curl/8" },
          actor: {},
          source: { addr: "registry:5000", instanceID: "i" },
        },
      ],
    };
    const render = () => {
      const parsed = parseDistributionEnvelope(structuredClone(body));
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.events.map((e) => JSON.stringify(renderDtr(e)));
    };
    expect(render()).toEqual(render());
  });
});

describe("renderDtr: incomplete events", () => {
  // Native events (contract: POST /api/v1/events) make "digest" optional, so a MANIFEST_* event can
  // arrive without one; the name must then stand without a reference rather than "@null".
  it("never writes the text null into imageName when the digest is unknown", () => {
    const payload = renderDtr(event({ type: "MANIFEST_PUSH", source: "native", digest: null }));
    expect(payload.contents.imageName).not.toContain("null");
  });
});

/*
 * Golden files: one expected payload per type in __golden__/<TYPE>.json, written by hand from the
 * shapes in docs/event-payloads.md, each fed by a representative event of the source that usually
 * produces it (Distribution, Harbor or a native publisher).
 */
const HARBOR_URL = "harbor.example.com/acme/web";

const representative: Record<EventType, RegistryEvent> = {
  TAG_PUSH: event({
    type: "TAG_PUSH",
    tag: "1.0",
    data: {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      sourceTag: "1.0",
      os: "linux",
      architecture: "amd64",
    },
  }),
  TAG_PULL: event({
    type: "TAG_PULL",
    source: "harbor",
    tag: "1.0",
    actor: "ci-bot",
    data: { sourceTag: "1.0", resourceUrl: `${HARBOR_URL}:1.0`, registryHost: "harbor.example.com" },
  }),
  TAG_DELETE: event({ type: "TAG_DELETE", tag: "1.0", digest: null, actor: null, data: { sourceTag: "1.0" } }),
  MANIFEST_PUSH: event({
    type: "MANIFEST_PUSH",
    source: "native",
    data: { contents: { os: "linux", architecture: "arm64", author: "alice" } },
  }),
  MANIFEST_PULL: event({
    type: "MANIFEST_PULL",
    repository: "acme/team/web",
    actor: "ci-bot",
    data: { mediaType: "application/vnd.oci.image.index.v1+json", sourceTag: null },
  }),
  MANIFEST_DELETE: event({
    type: "MANIFEST_DELETE",
    source: "harbor",
    data: { sourceTag: "1.0", resourceUrl: `${HARBOR_URL}:1.0`, registryHost: "harbor.example.com" },
  }),
  SCAN_COMPLETED: event({
    type: "SCAN_COMPLETED",
    source: "harbor",
    tag: "1.0",
    actor: "auto",
    data: {
      sourceTag: "1.0",
      resourceUrl: `${HARBOR_URL}:1.0`,
      registryHost: "harbor.example.com",
      scanSummary: {
        critical: 3,
        major: 3,
        minor: 9,
        last_scan_status: 6,
        check_completed_at: "2026-11-23T10:00:00.000Z",
      },
    },
  }),
  SCAN_FAILED: event({
    type: "SCAN_FAILED",
    source: "native",
    actor: null,
    data: { contents: { error: "layer 3 could not be read" } },
  }),
  PROMOTION: event({
    type: "PROMOTION",
    source: "native",
    tag: "1.0",
    data: {
      contents: {
        author: "alice",
        promotionPolicy: "to-prod",
        target: { repository: "acme-prod/web", tag: "1.0-rc" },
      },
    },
  }),
  PUSH_MIRRORING: event({
    type: "PUSH_MIRRORING",
    source: "native",
    tag: "1.0",
    actor: "mirror-bot",
    data: { contents: { author: "mirror-bot", remote: { host: "registry.dr.example.com", repository: "acme/web" } } },
  }),
  POLL_MIRRORING: event({
    type: "POLL_MIRRORING",
    source: "harbor",
    repository: "acme/alpine",
    tag: "3.20",
    digest: null,
    actor: "MANUAL",
    data: {
      remote: { host: "hub.docker.com", repository: "library/alpine" },
      references: ["3.20"],
      remoteRegistry: { name: "hub", type: "docker-hub" },
      trigger: "MANUAL",
      policyDescription: null,
    },
  }),
  REPO_CREATED: event({
    type: "REPO_CREATED",
    source: "native",
    digest: null,
    data: {
      contents: {
        author: "alice",
        data: { name: "web", namespace: "acme", visibility: "private", scanOnPush: true },
      },
    },
  }),
  REPO_UPDATED: event({
    type: "REPO_UPDATED",
    source: "native",
    digest: null,
    actor: null,
    data: { contents: { data: { name: "web", namespace: "acme", visibility: "public", scanOnPush: true } } },
  }),
  REPO_DELETED: event({
    type: "REPO_DELETED",
    source: "native",
    repository: "acme/old-web",
    digest: null,
    data: { contents: { author: "alice" } },
  }),
  SCANNER_UPDATE_COMPLETED: event({
    type: "SCANNER_UPDATE_COMPLETED",
    source: "native",
    namespace: null,
    repository: null,
    digest: null,
    actor: null,
    data: {
      contents: {
        scanner_version: "2.4.0",
        db_version: 412,
        success: true,
        replicas: { a1b2c3: { db_updated_at: "2026-11-23T03:10:00Z", version: "412" } },
      },
    },
  }),
  ...operationalRepresentatives(),
};

/** Hookyard's own events, as the publisher makes them from outbox rows (operational-events.ts). */
function operationalRepresentatives(): Record<OperationalEventType, RegistryEvent> {
  const webhook = {
    id: "wh_01k9xq2c3r4s5t6v7w8x9y0z1a",
    name: "deploy",
    url: "https://deploy.acme.example/hook",
    namespace: "acme",
    repository: "acme/web",
  };
  const row = (type: OperationalEventType, contents: OperationalOutboxRow["contents"]): RegistryEvent =>
    operationalEvent({
      id: `op-${type}`,
      type,
      webhookId: webhook.id,
      namespace: "acme",
      repository: "acme/web",
      contents,
      createdAt: new Date(AT),
    });
  return {
    WEBHOOK_DISABLED: row("WEBHOOK_DISABLED", {
      webhook,
      reason: "the receiver answered 410 Gone at 2026-11-23T10:00:00.000Z",
    }),
    WEBHOOK_ENABLED: row("WEBHOOK_ENABLED", { webhook, reason: null }),
    DELIVERY_EXHAUSTED: row("DELIVERY_EXHAUSTED", {
      webhook,
      failedDeliveries: 3,
      lastDeliveryId: "dlv_01k9xq2c3r4s5t6v7w8x9y0z1b",
      lastStatusCode: 503,
      since: "2026-11-23T09:59:00.000Z",
      until: "2026-11-23T10:00:00.000Z",
    }),
    CHAIN_RUN_ENDED: row("CHAIN_RUN_ENDED", {
      chain: { id: "chn_01k9xq2c3r4s5t6v7w8x9y0z1c", name: "release" },
      run: {
        id: "run_01k9xq2c3r4s5t6v7w8x9y0z1d",
        state: "interrupted",
        step: 1,
        reason: "step 1: the receiver called back failure: 3 tests FAILED",
        eventId: "evt_01k9xq2c3r4s5t6v7w8x9y0z1e",
      },
      webhook,
    }),
  };
}

const GOLDEN = new URL("./__golden__/", import.meta.url);

function golden(type: EventType): unknown {
  return JSON.parse(readFileSync(new URL(`${type}.json`, GOLDEN), "utf8"));
}

describe("renderDtr: golden payloads", () => {
  it("has exactly one golden file per event type", () => {
    const files = readdirSync(GOLDEN).filter((name) => name.endsWith(".json"));
    expect(files.map((name) => name.replace(/\.json$/, "")).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES.map((type) => [type]))("renders %s as its golden file", (type) => {
    expect(renderDtr(representative[type])).toStrictEqual(golden(type));
  });

  it("renders a value the same after a trip through the queue (JSON)", () => {
    for (const type of EVENT_TYPES) {
      const travelled = JSON.parse(JSON.stringify(representative[type])) as RegistryEvent;
      expect(renderDtr(travelled)).toStrictEqual(renderDtr(representative[type]));
    }
  });
});

describe("renderDtr: scans", () => {
  it("names a scanned image by digest when it has no tag", () => {
    const payload = renderDtr(event({ type: "SCAN_COMPLETED", source: "harbor", data: { scanSummary: {} } }));
    expect(payload.contents).toMatchObject({ tag: "", imageName: `acme/web@${DIGEST}` });
    expect(payload.location).toBe(`/repositories/acme/web/manifests/${DIGEST}`);
  });

  it("fills DTR's Completed status and the event time when the summary does not say", () => {
    const payload = renderDtr(
      event({
        type: "SCAN_COMPLETED",
        source: "native",
        tag: "1.0",
        data: { contents: { scanSummary: { critical: 0, major: 0, minor: 1 } } },
      }),
    );
    expect(payload.contents.scanSummary).toStrictEqual({
      namespace: "acme",
      repository: "web",
      tag: "1.0",
      critical: 0,
      major: 0,
      minor: 1,
      last_scan_status: 6,
      check_completed_at: AT,
    });
  });

  it("renders SCAN_FAILED with exactly DTR's fields", () => {
    const payload = renderDtr(
      event({ type: "SCAN_FAILED", source: "harbor", tag: "1.0", data: { error: "scan failed" } }),
    );
    expect(Object.keys(payload.contents).sort()).toEqual(["error", "imageName", "namespace", "repository", "tag"]);
    expect(payload.contents.error).toBe("scan failed");
  });
});

describe("renderDtr: promotion and mirroring", () => {
  it("keeps the local tag on the remote side when the publisher names no remote tag", () => {
    const payload = renderDtr(representative.PUSH_MIRRORING);
    expect(payload.contents.remote).toStrictEqual({
      host: "registry.dr.example.com",
      repository: "acme/web",
      tag: "1.0",
    });
  });

  it("says which way an image was mirrored", () => {
    expect(renderDtr(representative.PUSH_MIRRORING).contents.direction).toBe("push");
    expect(renderDtr(representative.POLL_MIRRORING).contents.direction).toBe("poll");
  });

  it("writes an empty promotionPolicy for a manual promotion", () => {
    const manual = event({
      type: "PROMOTION",
      source: "native",
      tag: "1.0",
      data: { contents: { target: { repository: "acme-prod/web", tag: "1.0" } } },
    });
    expect(renderDtr(manual).contents.promotionPolicy).toBe("");
  });
});

describe("renderDtr: from Harbor and native bodies", () => {
  it("renders a Harbor push with the registry host in imageName", () => {
    const parsed = parseHarborWebhook(
      {
        type: "PUSH_ARTIFACT",
        occur_at: 1_795_428_000,
        operator: "alice",
        event_data: {
          resources: [{ digest: DIGEST, tag: "1.0", resource_url: `${HARBOR_URL}:1.0` }],
          repository: { name: "web", namespace: "acme", repo_full_name: "acme/web", repo_type: "private" },
        },
      },
      "application/json",
    );
    if (!parsed.ok) throw new Error(parsed.message);
    const tagPush = parsed.events.find((e) => e.type === "TAG_PUSH");
    if (!tagPush) throw new Error("no TAG_PUSH");
    expect(renderDtr(tagPush)).toStrictEqual({
      type: "TAG_PUSH",
      createdAt: "2026-11-23T10:00:00.000Z",
      contents: {
        namespace: "acme",
        repository: "web",
        tag: "1.0",
        digest: DIGEST,
        imageName: "harbor.example.com/acme/web:1.0",
        os: "",
        architecture: "",
        author: "alice",
        pushedAt: "2026-11-23T10:00:00.000Z",
      },
      location: "/repositories/acme/web/tags/1.0",
    });
  });

  it("renders a native REPO_CREATED from the event's namespace and repository and the contents", () => {
    const parsed = parseNativeEvents(
      {
        type: "REPO_CREATED",
        namespace: "acme",
        repository: "acme/web",
        contents: { author: "alice", data: { name: "web" } },
      },
      AT,
    );
    if (!parsed.ok) throw new Error(parsed.message);
    expect(renderDtr(parsed.events[0] as RegistryEvent)).toStrictEqual({
      type: "REPO_CREATED",
      createdAt: AT,
      contents: { namespace: "acme", repository: "web", event: "REPO_CREATED", author: "alice", data: { name: "web" } },
      location: "/repositories/acme/web",
    });
  });

  it("renders a native SCAN_COMPLETED on the image the event names", () => {
    const parsed = parseNativeEvents(
      {
        type: "SCAN_COMPLETED",
        repository: "acme/web",
        tag: "1.0",
        occurredAt: "2026-11-23T10:05:00Z",
        contents: { scanSummary: { critical: 1, major: 2, minor: 3 } },
      },
      AT,
    );
    if (!parsed.ok) throw new Error(parsed.message);
    const payload = renderDtr(parsed.events[0] as RegistryEvent);
    expect(payload.contents).toMatchObject({
      namespace: "acme",
      repository: "web",
      tag: "1.0",
      imageName: "acme/web:1.0",
    });
    expect(payload.contents.scanSummary).toMatchObject({ critical: 1, check_completed_at: "2026-11-23T10:05:00.000Z" });
  });
});
