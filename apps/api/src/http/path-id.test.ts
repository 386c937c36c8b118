import { newId } from "@hookyard/db";
import type { Request } from "express";
import { describe, expect, it } from "vitest";
import { ApiError } from "./api-error.js";
import { pathId } from "./path-id.js";

const withId = (id: unknown) => ({ params: { id } }) as unknown as Request;

function refusal(id: unknown): ApiError | undefined {
  try {
    pathId(withId(id), "webhook");
  } catch (error) {
    return error as ApiError;
  }
  return undefined;
}

describe("pathId", () => {
  it("returns an id of the kind asked for", () => {
    const id = newId("webhook");
    expect(pathId(withId(id), "webhook")).toBe(id);
    const delivery = newId("delivery");
    expect(pathId(withId(delivery), "delivery")).toBe(delivery);
  });

  it.each([
    ["NUL", "\u0000"],
    ["a NUL after a good id", `${newId("webhook")}\u0000`],
    ["another kind's id", newId("delivery")],
    ["upper case", newId("webhook").toUpperCase()],
    ["a suffix one short", newId("webhook").slice(0, -1)],
    ["a suffix one long", `${newId("webhook")}0`],
    ["a letter outside the alphabet", `wh_0${"u".repeat(25)}`],
    ["a first character above 7", `wh_8${"0".repeat(25)}`],
    ["nothing", ""],
    ["no id at all", undefined],
  ])("answers not found for %s, without a query", (_why, id) => {
    const error = refusal(id);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: "not_found", message: "webhook not found" });
  });
});
