import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "./event-types.js";
import { levelsAllowed, type Scope, scopeCovers, scopeOf, typeFitsScope } from "./scope.js";

const repository: Scope = { kind: "repository", namespace: "acme", repository: "acme/web" };
const namespace: Scope = { kind: "namespace", namespace: "acme" };
const global: Scope = { kind: "global" };

describe("typeFitsScope (the DTR table)", () => {
  it.each(["TAG_PUSH", "MANIFEST_PULL", "SCAN_FAILED", "PROMOTION", "POLL_MIRRORING"] as const)(
    "allows the repository type %s at every scope",
    (type) => {
      expect(typeFitsScope(type, repository)).toBe(true);
      expect(typeFitsScope(type, namespace)).toBe(true);
      expect(typeFitsScope(type, global)).toBe(true);
    },
  );

  it.each(["REPO_CREATED", "REPO_UPDATED", "REPO_DELETED"] as const)(
    "allows %s on a namespace or global webhook only",
    (type) => {
      expect(typeFitsScope(type, repository)).toBe(false);
      expect(typeFitsScope(type, namespace)).toBe(true);
      expect(typeFitsScope(type, global)).toBe(true);
    },
  );

  it("allows SCANNER_UPDATE_COMPLETED on a global webhook only", () => {
    expect(typeFitsScope("SCANNER_UPDATE_COMPLETED", repository)).toBe(false);
    expect(typeFitsScope("SCANNER_UPDATE_COMPLETED", namespace)).toBe(false);
    expect(typeFitsScope("SCANNER_UPDATE_COMPLETED", global)).toBe(true);
  });

  it("allows every type on a global webhook", () => {
    for (const type of EVENT_TYPES) expect(typeFitsScope(type, global), type).toBe(true);
  });

  it("lists the levels each scope allows", () => {
    expect([...levelsAllowed(repository)]).toEqual(["repository"]);
    expect([...levelsAllowed(namespace)].sort()).toEqual(["namespace", "repository"]);
    expect([...levelsAllowed(global)].sort()).toEqual(["global", "namespace", "repository"]);
  });
});

describe("scopeCovers", () => {
  it("covers everything from the global scope", () => {
    expect(scopeCovers(global, { namespace: "acme", repository: "acme/web" })).toBe(true);
    expect(scopeCovers(global, { namespace: "other", repository: null })).toBe(true);
    expect(scopeCovers(global, { namespace: null, repository: null })).toBe(true);
  });

  it("covers the namespace's own events and those of every repository in it", () => {
    expect(scopeCovers(namespace, { namespace: "acme", repository: null })).toBe(true);
    expect(scopeCovers(namespace, { namespace: "acme", repository: "acme/web" })).toBe(true);
    expect(scopeCovers(namespace, { namespace: "acme", repository: "acme/team/api" })).toBe(true);
  });

  it("does not cover another namespace, even one with the same prefix", () => {
    expect(scopeCovers(namespace, { namespace: "other", repository: "other/web" })).toBe(false);
    expect(scopeCovers(namespace, { namespace: "acme-labs", repository: "acme-labs/web" })).toBe(false);
    expect(scopeCovers(namespace, { namespace: null, repository: null })).toBe(false);
  });

  it("covers exactly one repository from a repository scope", () => {
    expect(scopeCovers(repository, { namespace: "acme", repository: "acme/web" })).toBe(true);
    expect(scopeCovers(repository, { namespace: "acme", repository: "acme/api" })).toBe(false);
    expect(scopeCovers(repository, { namespace: "acme", repository: "acme/web-2" })).toBe(false);
    expect(scopeCovers(repository, { namespace: "acme", repository: "acme/web/cache" })).toBe(false);
    expect(scopeCovers(repository, { namespace: "other", repository: "other/web" })).toBe(false);
  });

  it("does not give a repository webhook its namespace's events", () => {
    expect(scopeCovers(repository, { namespace: "acme", repository: null })).toBe(false);
    expect(scopeCovers(repository, { namespace: "acme" })).toBe(false);
  });
});

describe("scopeOf", () => {
  it("reads a row without repository or namespace as global", () => {
    expect(scopeOf({ namespace: null, repository: null })).toStrictEqual({ kind: "global" });
  });

  it("reads a row with a namespace only as that namespace", () => {
    expect(scopeOf({ namespace: "acme", repository: null })).toStrictEqual({ kind: "namespace", namespace: "acme" });
  });

  it("reads a row with a repository as that repository, in its namespace", () => {
    expect(scopeOf({ namespace: "acme", repository: "acme/web" })).toStrictEqual({
      kind: "repository",
      namespace: "acme",
      repository: "acme/web",
    });
    expect(scopeOf({ namespace: null, repository: "acme/team/web" })).toStrictEqual({
      kind: "repository",
      namespace: "acme",
      repository: "acme/team/web",
    });
  });
});
