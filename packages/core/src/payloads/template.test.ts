import { describe, expect, it } from "vitest";
import type { RegistryEvent } from "../registry-event.js";
import { renderPayload } from "./render.js";
import {
  DEFAULT_TEMPLATE_LIMITS,
  describeTemplateError,
  parseTemplate,
  renderTemplate,
  TemplateError,
  templateScope,
} from "./template.js";

const event: RegistryEvent = {
  type: "TAG_PUSH",
  dedupKey: "distribution:1",
  source: "distribution",
  namespace: "acme",
  repository: "acme/web",
  tag: "1.0",
  digest: "sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c",
  actor: "alice",
  occurredAt: "2026-11-23T10:00:00.123Z",
  data: { os: "linux", architecture: "amd64" },
};
const scope = templateScope(event, "evt_1", { deliveryId: "dlv_1", webhook: { id: "wh_1", name: "ci" } });

function problem(run: () => unknown): TemplateError {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error("no TemplateError");
}

describe("templates", () => {
  it("render the documented variables", () => {
    const template =
      "{{ event.id }} {{ event.type }} {{ event.repository }} {{ event.namespace }} {{ event.tag }} {{ event.digest }} " +
      "{{ event.actor }} {{ event.time }} {{ event.contents.imageName }} {{ event.contents.os }} {{ delivery.id }} " +
      "{{ webhook.id }} {{ webhook.name }}";
    expect(renderTemplate(template, scope)).toBe(
      "evt_1 TAG_PUSH acme/web acme 1.0 sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c " +
        "alice 2026-11-23T10:00:00.123Z acme/web:1.0 linux dlv_1 wh_1 ci",
    );
  });

  it("escape strings for JSON with the json filter: a tag with quotes cannot break the body", () => {
    const hostile = templateScope({ ...event, tag: 'v1", "admin": true, "x": "\\' }, "evt_1");
    const body = renderTemplate('{"tag": {{ event.tag | json }}, "digest": {{ event.digest | json }}}', hostile);
    expect(JSON.parse(body)).toEqual({ tag: 'v1", "admin": true, "x": "\\', digest: event.digest });
    // A missing value is null in JSON, not an empty word.
    const none = templateScope({ ...event, actor: null }, "evt_1");
    expect(JSON.parse(renderTemplate('{"actor": {{ event.actor | json }}}', none))).toEqual({ actor: null });
  });

  it("refuse a syntax error naming its line and column", () => {
    const error = problem(() => parseTemplate('{\n  "tag": {{ event.tag | json }},\n  {% if event.tag %}\n}'));
    expect(error.kind).toBe("syntax");
    expect(error.line).toBe(3);
    expect(describeTemplateError(error)).toMatch(/^line 3, column 3: tag \{% if event.tag %\} not closed/);
  });

  it("refuse an unknown filter when parsed (strictFilters)", () => {
    const error = problem(() => parseTemplate("ok\n{{ event.tag | shout }}"));
    expect(describeTemplateError(error)).toBe("line 2, column 1: undefined filter: shout");
  });

  it.each(["include", "render", "layout"])("cannot read files: {%% %s %%} is refused", (tag) => {
    const error = problem(() => renderTemplate(`{% ${tag} "/etc/passwd" %}`, scope));
    expect(error.kind).toBe("syntax");
    expect(error.message).toContain(`tag "${tag}" not found`);
    expect(error.message).toContain("cannot include other templates or files");
  });

  it("read only the scope's own properties: nothing of JavaScript's prototypes", () => {
    expect(
      renderTemplate("[{{ event.constructor }}{{ event.__proto__ }}{{ event.tag.constructor.name }}]", scope),
    ).toBe("[]");
  });

  it("refuse a template over HOOKYARD_TEMPLATE_MAX_BYTES, naming the setting", () => {
    const error = problem(() => parseTemplate("x".repeat(101), { ...DEFAULT_TEMPLATE_LIMITS, maxBytes: 100 }));
    expect(error.kind).toBe("size");
    expect(error.message).toBe("the template is 101 bytes, over the limit of 100 (HOOKYARD_TEMPLATE_MAX_BYTES)");
  });

  it("stop a render that takes longer than HOOKYARD_TEMPLATE_RENDER_TIMEOUT", () => {
    const loop =
      "{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}";
    const error = problem(() => renderTemplate(loop, scope, { ...DEFAULT_TEMPLATE_LIMITS, renderTimeoutMs: 20 }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe("rendering took longer than 20 ms (HOOKYARD_TEMPLATE_RENDER_TIMEOUT)");
  });

  it("refuse a body over HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES", () => {
    const error = problem(() =>
      renderTemplate("{% for i in (1..200) %}0123456789{% endfor %}", scope, {
        ...DEFAULT_TEMPLATE_LIMITS,
        maxOutputBytes: 1000,
      }),
    );
    expect(error.kind).toBe("output");
    expect(error.message).toBe(
      "the rendered body is 2000 bytes, over the limit of 1000 (HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES)",
    );
  });

  it("stop a render that builds far more than the output bound (memoryLimit) before it is built", () => {
    const error = problem(() =>
      renderTemplate("{% for i in (1..100000000) %}{% endfor %}", scope, {
        ...DEFAULT_TEMPLATE_LIMITS,
        maxOutputBytes: 1000,
      }),
    );
    expect(error.kind).toBe("output");
  });

  it("are what the template format sends, with the webhook's content type", () => {
    const rendered = renderPayload("template", event, "evt_1", {
      template: "pushed {{ event.repository }}:{{ event.tag }}",
      templateContentType: "text/plain; charset=utf-8",
    });
    expect(rendered).toEqual({ body: "pushed acme/web:1.0", contentType: "text/plain; charset=utf-8" });
    expect(renderPayload("template", event, "evt_1", { template: "{}" }).contentType).toBe("application/json");
  });
});
