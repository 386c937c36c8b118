import { describe, expect, it } from "vitest";
import { MAX_TAG_GLOBS, tagFilterProblem, tagPassesFilter, webhookFilter } from "./tag-filter.js";

describe("tagPassesFilter", () => {
  it.each([
    [["v*"], "v1.2.3", true],
    [["v*"], "1.2.3", false],
    [["release-*", "v*"], "release-2026.11", true],
    [["release-*"], "release", false],
    [["*-rc*"], "v2-rc1", true],
    [["latest"], "latest", true],
    [["latest"], "latest2", false],
    [["v_1"], "v_1", true],
    [["v_1"], "vx1", false],
    [["*"], "anything", true],
  ])("globs %j and tag %s: %s", (globs, tag, expected) => {
    expect(tagPassesFilter(globs, tag)).toBe(expected);
  });

  it("passes every event when there are no globs, and none without a tag when there are", () => {
    expect(tagPassesFilter([], null)).toBe(true);
    expect(tagPassesFilter(["*"], null)).toBe(false);
  });
});

describe("webhookFilter", () => {
  it("takes tag globs and refuses what is not one, naming the glob's place", () => {
    expect(webhookFilter.safeParse({ tags: ["v*", "release-*"] }).success).toBe(true);
    for (const bad of ["", "v%", "a b", "v\\*", "!v", "x".repeat(129), "v?"]) {
      const result = webhookFilter.safeParse({ tags: ["ok", bad] });
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(["tags", 1]);
    }
  });

  it("refuses an empty list, too many globs and unknown criteria", () => {
    expect(webhookFilter.safeParse({ tags: [] }).success).toBe(false);
    expect(webhookFilter.safeParse({ tags: Array(MAX_TAG_GLOBS + 1).fill("v*") }).success).toBe(false);
    expect(webhookFilter.safeParse({ tags: ["v*"], labels: ["x"] }).success).toBe(false);
  });
});

describe("tagFilterProblem", () => {
  it("refuses a filter that would let nothing through, and takes one with a repository type", () => {
    expect(tagFilterProblem(["REPO_CREATED", "SCANNER_UPDATE_COMPLETED"], ["v*"])).toContain("filter.tags");
    expect(tagFilterProblem(["REPO_CREATED", "TAG_PUSH"], ["v*"])).toBeNull();
    expect(tagFilterProblem(["REPO_CREATED"], [])).toBeNull();
  });
});
