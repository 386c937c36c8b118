import { describe, expect, it } from "vitest";
import { maySubscribe, maySubscribeToType, type Principal } from "./permissions.js";
import type { Scope } from "./scope.js";

const globalAdmin: Principal = { admin: true, repositoryAdmin: [], namespaceOwner: [] };
const repoAdmin: Principal = { admin: false, repositoryAdmin: ["acme/web"], namespaceOwner: [] };
const owner: Principal = { admin: false, repositoryAdmin: [], namespaceOwner: ["acme"] };
const nobody: Principal = { admin: false, repositoryAdmin: [], namespaceOwner: [] };

const global: Scope = { kind: "global" };
const acme: Scope = { kind: "namespace", namespace: "acme" };
const acmeLabs: Scope = { kind: "namespace", namespace: "acme-labs" };
const other: Scope = { kind: "namespace", namespace: "other" };
const acmeWeb: Scope = { kind: "repository", namespace: "acme", repository: "acme/web" };
const acmeApi: Scope = { kind: "repository", namespace: "acme", repository: "acme/api" };
const acmeWebNested: Scope = { kind: "repository", namespace: "acme", repository: "acme/web/cache" };
const acmeTeamWeb: Scope = { kind: "repository", namespace: "acme", repository: "acme/team/web" };
const acmeLabsWeb: Scope = { kind: "repository", namespace: "acme-labs", repository: "acme-labs/web" };
const otherWeb: Scope = { kind: "repository", namespace: "other", repository: "other/web" };

const scopes = { global, acme, acmeLabs, other, acmeWeb, acmeApi, acmeWebNested, acmeTeamWeb, acmeLabsWeb, otherWeb };

/** Who may subscribe where (contract: Event types, the DTR table and the paragraph under it). */
const table: Array<[string, Principal, Array<keyof typeof scopes>]> = [
  ["a global admin", globalAdmin, Object.keys(scopes) as Array<keyof typeof scopes>],
  ["the admin of acme/web", repoAdmin, ["acmeWeb"]],
  ["the owner of acme", owner, ["acme", "acmeWeb", "acmeApi", "acmeWebNested", "acmeTeamWeb"]],
  ["a user without grants", nobody, []],
];

describe("maySubscribe", () => {
  for (const [who, principal, allowed] of table) {
    for (const [name, scope] of Object.entries(scopes)) {
      const expected = (allowed as string[]).includes(name);
      it(`${who} ${expected ? "may" : "may not"} subscribe at ${name}`, () => {
        expect(maySubscribe(principal, scope)).toBe(expected);
      });
    }
  }

  it("lets only a global admin subscribe without a repository or namespace", () => {
    const everything: Principal = {
      admin: false,
      repositoryAdmin: ["acme/web", "other/web"],
      namespaceOwner: ["acme", "other"],
    };
    expect(maySubscribe(everything, global)).toBe(false);
    expect(maySubscribe(globalAdmin, global)).toBe(true);
  });

  it("does not let a repository admin subscribe to the namespace's REPO_* events", () => {
    expect(maySubscribe(repoAdmin, acme)).toBe(false);
  });

  it("combines several grants", () => {
    const both: Principal = { admin: false, repositoryAdmin: ["other/web"], namespaceOwner: ["acme"] };
    expect(maySubscribe(both, otherWeb)).toBe(true);
    expect(maySubscribe(both, acmeWeb)).toBe(true);
    expect(maySubscribe(both, other)).toBe(false);
  });
});

describe("maySubscribeToType", () => {
  const nobody = { admin: false, repositoryAdmin: [], namespaceOwner: [] };
  const repoAdmin = { admin: false, repositoryAdmin: ["acme/web"], namespaceOwner: [] };
  const owner = { admin: false, repositoryAdmin: [], namespaceOwner: ["acme"] };
  const admin = { admin: true, repositoryAdmin: [], namespaceOwner: [] };
  it.each([
    ["TAG_PUSH", [false, true, true, true]],
    ["REPO_CREATED", [false, false, true, true]],
    ["SCANNER_UPDATE_COMPLETED", [false, false, false, true]],
  ] as const)("%s: nobody, repository admin, namespace owner, admin: %j", (type, expected) => {
    expect([nobody, repoAdmin, owner, admin].map((p) => maySubscribeToType(p, type))).toEqual(expected);
  });
});
