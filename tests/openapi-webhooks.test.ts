import { readdirSync, readFileSync } from "node:fs";
import {
  EVENT_TYPES,
  type EventType,
  formatTypesProblem,
  PAYLOAD_FORMATS,
  type PayloadFormat,
  type RegistryEvent,
  renderPayload,
  type Scope,
  sampleEvent,
} from "@hookyard/core";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../apps/api/src/openapi/document.js";

/*
 * The document's `webhooks` (apps/api/src/openapi/webhooks.ts) against what Hookyard really sends:
 * the golden dtr files (packages/core/src/payloads/__golden__/, which the renderer's tests compare
 * byte for byte) and what the renderers make of every type in every format. The schemas are closed,
 * so a field added to a payload without the schema, or one dropped that it requires, fails here.
 * tests/openapi.test.ts checks the same against deliveries a running Hookyard sends.
 */

const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;
const GOLDEN = new URL("../packages/core/src/payloads/__golden__/", import.meta.url);
const MEDIA_TYPE: Record<PayloadFormat, string> = {
  dtr: "application/json",
  dockerhub: "application/json",
  cloudevents: "application/cloudevents+json",
  // A template's body is whatever it renders, with the content type its webhook names.
  template: "*/*",
  slack: "application/json",
  teams: "application/json",
  discord: "application/json",
  googlechat: "application/json",
};
const TEMPLATE = '{"tag": {{ event.tag | json }}, "repository": {{ event.repository | json }}}';
const CALLBACK_URL = "http://127.0.0.1:3000/api/v1/callbacks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const SCOPES: Scope[] = [
  { kind: "repository", namespace: "acme", repository: "acme/web" },
  { kind: "namespace", namespace: "acme" },
  { kind: "global" },
];

const goldens = readdirSync(GOLDEN)
  .filter((name) => name.endsWith(".json"))
  .map((name) => [name, JSON.parse(readFileSync(new URL(name, GOLDEN), "utf8")) as Record<string, any>] as const);

describe("the OpenAPI document's webhooks", () => {
  const document = buildOpenApiDocument() as any;
  let ajv: Ajv2020;

  beforeAll(() => {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, "hookyard");
  });

  /** The body schema of a format's webhook, compiled with the document around it for its $refs. */
  function body(format: PayloadFormat) {
    const pointer = `#/webhooks/${format}/post/requestBody/content/${MEDIA_TYPE[format].replaceAll("/", "~1")}/schema`;
    const validate = ajv.getSchema(`hookyard${pointer}`);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    return (value: unknown) => ({ valid: validate(value), errors: validate.errors ?? [] });
  }

  it("has one webhook per payload format, with the headers every attempt carries and what each answer does", () => {
    expect(Object.keys(document.webhooks).sort()).toEqual([...PAYLOAD_FORMATS].sort());
    for (const format of PAYLOAD_FORMATS) {
      const operation = document.webhooks[format].post;
      expect(Object.keys(operation.requestBody.content), format).toEqual([MEDIA_TYPE[format]]);
      const headers = Object.fromEntries(
        operation.parameters.map((p: any) => [p.name, { in: p.in, required: p.required ?? false }]),
      );
      expect(headers, format).toEqual({
        "user-agent": { in: "header", required: true },
        "x-hookyard-event": { in: "header", required: true },
        "x-hookyard-delivery": { in: "header", required: true },
        "webhook-id": { in: "header", required: true },
        "webhook-timestamp": { in: "header", required: true },
        // Only a webhook with a secret signs.
        "webhook-signature": { in: "header", required: false },
      });
      expect(Object.keys(operation.responses).sort(), format).toEqual(["2XX", "410", "413", "default"]);
      expect(operation.security).toEqual([]);
    }
    // The receiver of a dockerhub delivery answers at the callback_url the body carries.
    const callback = document.webhooks.dockerhub.post.callbacks.result["{$request.body#/callback_url}"].post;
    expect(callback.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/CallbackRequest");
  });

  it("has a golden file for every event type", () => {
    expect(goldens.map(([name]) => name.replace(/\.json$/, "")).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(goldens)("takes the golden dtr payload %s", (_name, golden) => {
    expect(body("dtr")(golden)).toEqual({ valid: true, errors: [] });
  });

  it.each(goldens)("refuses %s with a field more, or without a field it requires", (_name, golden) => {
    const dtr = body("dtr");
    expect(dtr({ ...golden, extra: 1 }).valid).toBe(false);
    expect(dtr({ ...golden, contents: { ...golden.contents, extra: 1 } }).valid).toBe(false);
    for (const key of Object.keys(golden)) {
      const { [key]: _dropped, ...without } = golden;
      expect(dtr(without).valid, `without ${key}`).toBe(false);
    }
    for (const key of Object.keys(golden.contents)) {
      const { [key]: _dropped, ...contents } = golden.contents;
      expect(dtr({ ...golden, contents }).valid, `without contents.${key}`).toBe(false);
    }
    // And the contents of one type are not taken under another's name.
    const other = golden.type === "TAG_PUSH" ? "SCAN_FAILED" : "TAG_PUSH";
    expect(dtr({ ...golden, type: other }).valid).toBe(false);
  });

  const rendered: Array<[PayloadFormat, EventType, Scope["kind"]]> = PAYLOAD_FORMATS.flatMap((format) =>
    EVENT_TYPES.filter((type) => formatTypesProblem(format, [type]) === null).flatMap((type) =>
      SCOPES.map((scope) => [format, type, scope.kind] as [PayloadFormat, EventType, Scope["kind"]]),
    ),
  );

  it.each(rendered)("describes the %s body of %s (a %s webhook's test)", (format, type, kind) => {
    const scope = SCOPES.find((s) => s.kind === kind)!;
    const event = sampleEvent(type, scope, "key", new Date("2026-11-23T10:00:00.123Z"));
    const payload = renderPayload(format, event, "evt_01k9xq2c3r4s5t6v7w8x9y0z1e", {
      callbackUrl: CALLBACK_URL,
      template: TEMPLATE,
    });
    if (format === "template") {
      expect(payload.contentType).toBe("application/json");
      expect(body(format)(payload.body)).toEqual({ valid: true, errors: [] });
      return;
    }
    expect(payload.contentType.split(";")[0]).toBe(MEDIA_TYPE[format]);
    expect(body(format)(JSON.parse(payload.body))).toEqual({ valid: true, errors: [] });
  });

  it("describes a repository rename, the one optional field of a dtr or cloudevents body", () => {
    const renamed: RegistryEvent = {
      type: "REPO_UPDATED",
      dedupKey: "gitlab:1",
      source: "distribution",
      namespace: "acme",
      repository: "acme/platform/redis",
      tag: null,
      digest: null,
      actor: "bob",
      occurredAt: "2026-11-23T10:00:07.623Z",
      data: {
        rename: { type: "namespace", from: "acme/platform-mirror/redis", to: "acme/platform/redis" },
        data: { name: "redis", path: "acme/platform/redis" },
      },
    };
    for (const format of ["dtr", "cloudevents"] as const) {
      const payload = JSON.parse(renderPayload(format, renamed, "evt_1").body);
      const contents = format === "dtr" ? payload.contents : payload.data;
      expect(contents.rename, format).toEqual({
        type: "namespace",
        from: { namespace: "acme", repository: "platform-mirror/redis" },
        to: { namespace: "acme", repository: "platform/redis" },
      });
      expect(body(format)(payload), format).toEqual({ valid: true, errors: [] });
      const stray = { ...contents, rename: { ...contents.rename, when: "now" } };
      const strayPayload = format === "dtr" ? { ...payload, contents: stray } : { ...payload, data: stray };
      expect(body(format)(strayPayload).valid, format).toBe(false);
    }
  });
});
