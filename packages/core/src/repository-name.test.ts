import { describe, expect, it } from "vitest";
import { isValidNamespace, isValidRepositoryName, splitRepositoryName } from "./repository-name.js";

/*
 * The Distribution grammar (distribution/reference): path components of lowercase alphanumerics
 * joined by ".", "_", "__" or runs of "-", split by "/", at most 255 characters; Hookyard also
 * needs a namespace, so at least two components.
 */

describe("isValidRepositoryName", () => {
  it.each([
    "acme/web",
    "a/b",
    "a/b/c",
    "my-org/app_1.2",
    "library/ubuntu",
    "acme/team/sub/web",
    "0/1",
    "acme/web__cache",
    "acme/web--cache",
    "acme/web---cache",
    "acme/web.cache",
    "acme/v1.2.3",
  ])("accepts %j", (name) => {
    expect(isValidRepositoryName(name)).toBe(true);
  });

  it.each([
    ["uppercase", "Acme/web"],
    ["uppercase in the name", "acme/Web"],
    ["a single component", "noslash"],
    ["empty", ""],
    ["a leading separator", "-acme/web"],
    ["a leading separator in the name", "acme/_web"],
    ["a trailing separator", "acme/web."],
    ["a trailing dash", "acme/web-"],
    ["an empty component", "a//b"],
    ["a leading slash", "/acme/web"],
    ["a trailing slash", "acme/web/"],
    ["two dots", "acme/web..cache"],
    ["three underscores", "acme/web___cache"],
    ["a dot and a dash", "acme/web.-cache"],
    ["a space", "acme/my web"],
    ["a tag", "acme/web:1.0"],
    ["a digest", "acme/web@sha256:abc"],
    ["a registry host", "registry.example.com:5000/acme/web"],
    ["a non-ASCII letter", "acme/wéb"],
  ])("refuses %s (%j)", (_why, name) => {
    expect(isValidRepositoryName(name)).toBe(false);
  });

  it("accepts 255 characters and refuses 256", () => {
    const at255 = `acme/${"w".repeat(250)}`;
    const at256 = `acme/${"w".repeat(251)}`;
    expect(at255).toHaveLength(255);
    expect(isValidRepositoryName(at255)).toBe(true);
    expect(at256).toHaveLength(256);
    expect(isValidRepositoryName(at256)).toBe(false);
  });
});

describe("isValidNamespace", () => {
  it.each(["acme", "my-org", "org_1", "a.b", "0"])("accepts %j", (name) => {
    expect(isValidNamespace(name)).toBe(true);
  });

  it.each(["", "Acme", "acme/web", "-acme", "acme-", "my org"])("refuses %j", (name) => {
    expect(isValidNamespace(name)).toBe(false);
  });

  it("refuses more than 255 characters", () => {
    expect(isValidNamespace("a".repeat(255))).toBe(true);
    expect(isValidNamespace("a".repeat(256))).toBe(false);
  });
});

describe("splitRepositoryName", () => {
  it("splits a name into its namespace and the rest", () => {
    expect(splitRepositoryName("acme/web")).toEqual({ namespace: "acme", name: "web" });
    expect(splitRepositoryName("acme/team/web")).toEqual({ namespace: "acme", name: "team/web" });
  });
});
