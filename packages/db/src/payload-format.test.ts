import { PAYLOAD_FORMATS } from "@hookyard/core";
import { describe, expect, it } from "vitest";
import { PayloadFormat } from "./generated/prisma/enums.js";

describe("PayloadFormat", () => {
  it("has in the database's enum (prisma/schema.prisma) exactly core's list, in its order", () => {
    // A format core renders but the column refuses fails every insert of it; one the column holds
    // but core does not know is a webhook the API cannot read back nor the worker render.
    expect(Object.values(PayloadFormat)).toEqual([...PAYLOAD_FORMATS]);
  });
});
