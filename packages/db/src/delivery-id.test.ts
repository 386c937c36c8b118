import { TypeID } from "typeid-js";
import { describe, expect, it } from "vitest";
import { deliveryIdFor, newId } from "./ids.js";

describe("deliveryIdFor", () => {
  it("gives an event's delivery to a webhook the same id every time, and another pair another", () => {
    const event = newId("event");
    const [a, b] = [newId("webhook"), newId("webhook")] as [string, string];
    expect(deliveryIdFor(event, a)).toBe(deliveryIdFor(event, a));
    expect(deliveryIdFor(event, a)).not.toBe(deliveryIdFor(event, b));
    expect(deliveryIdFor(newId("event"), a)).not.toBe(deliveryIdFor(event, a));
    expect(deliveryIdFor(event, a)).toMatch(/^dlv_[0-9a-z]{26}$/);
  });

  it("is a UUIDv7 ordered by its event's time, as newId's are", async () => {
    const earlier = newId("event");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = newId("event");
    const webhook = newId("webhook");
    expect(deliveryIdFor(earlier, webhook) < deliveryIdFor(later, webhook)).toBe(true);
    const uuid = TypeID.fromString(deliveryIdFor(later, webhook)).toUUID();
    expect(uuid[14]).toBe("7");
    expect(uuid.slice(0, 13)).toBe(TypeID.fromString(later).toUUID().slice(0, 13));
  });

  it("still makes a valid id for an event id that is not a TypeID", () => {
    expect(deliveryIdFor("legacy-event-1", "wh_x")).toMatch(/^dlv_[0-9a-z]{26}$/);
  });
});
