import { describe, expect, it } from "vitest";
import { mediaTypeProblem } from "./media-type.js";

describe("mediaTypeProblem", () => {
  it.each(["application/json", "text/plain; charset=utf-8", "application/vnd.acme+json;v=2", 'text/plain; x="a b"'])(
    "takes %s",
    (value) => expect(mediaTypeProblem(value)).toBeNull(),
  );

  it.each(["json", "text/", "/json", "text/plain;", "text/plain; charset", "text plain", "a/b\r\nx-evil: 1", ""])(
    "refuses %j",
    (value) => expect(mediaTypeProblem(value)).toMatch(/is not a media type/),
  );

  it("refuses one longer than 255 characters", () => {
    expect(mediaTypeProblem(`a/${"b".repeat(300)}`)).toBe("may be at most 255 characters long");
  });
});
