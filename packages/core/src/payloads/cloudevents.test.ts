import { type CloudEvent, HTTP } from "cloudevents";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../event-types.js";
import { sampleEvent } from "../sample-event.js";
import { CLOUDEVENT_TYPES } from "./cloudevents.js";
import { renderPayload } from "./render.js";

describe("the cloudevents format", () => {
  it.each(EVENT_TYPES)("renders %s as a structured CloudEvent the SDK reads back as valid", (type) => {
    const event = sampleEvent(type, { kind: "global" }, "key", new Date("2026-11-23T10:00:00.123Z"));
    const rendered = renderPayload("cloudevents", event, "evt_01");
    expect(rendered.contentType).toMatch(/^application\/cloudevents\+json/);
    const parsed = HTTP.toEvent({ headers: { "content-type": rendered.contentType }, body: rendered.body });
    const cloudEvent = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown>;
    expect(cloudEvent.validate()).toBe(true);
    expect(cloudEvent).toMatchObject({
      specversion: "1.0",
      id: "evt_01",
      type: CLOUDEVENT_TYPES[type],
      time: "2026-11-23T10:00:00.123Z",
      datacontenttype: "application/json",
    });
  });

  it("names the image as subject and the repository as source, and carries DTR's contents as data", () => {
    const event = sampleEvent("TAG_PUSH", { kind: "repository", namespace: "acme", repository: "acme/web" }, "k");
    const body = JSON.parse(renderPayload("cloudevents", event, "evt_02").body);
    expect(body).toMatchObject({
      source: "/repositories/acme/web",
      subject: "acme/web:latest",
      type: "io.hookyard.tag.pushed",
      data: { namespace: "acme", repository: "web", tag: "latest" },
    });
  });

  it("gives every type its own reverse-DNS type name", () => {
    const names = Object.values(CLOUDEVENT_TYPES);
    expect(new Set(names).size).toBe(EVENT_TYPES.length);
    for (const name of names) expect(name).toMatch(/^io\.hookyard\.[a-z]+\.[a-z]+$/);
  });
});
