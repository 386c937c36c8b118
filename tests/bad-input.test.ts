import { newId } from "@hookyard/db";
import { type Receiver, startReceiver } from "@hookyard/testkit";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, type RequestOptions, TestHookyard } from "./support/hookyard.js";

/*
 * Issue 8, "Bad input": every route answers a clear 4xx naming the field for wrong types, unknown
 * fields, oversize bodies and malformed ids; nothing answers 500; a failed request changes nothing.
 * Driven by the served OpenAPI document: a route added later is tried without editing this file
 * (one with a JSON body fails here until its smallest valid body is added to VALID_BODIES).
 */

// ajv-formats is CommonJS with a default export; NodeNext types see the module object around it.
const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

/** /api/v0 and /api/v1, but ingest, whose routes have tests of their own and answer differently. */
const covered = (path: string) =>
  /^\/api\/v[01]\//.test(path) && !path.startsWith("/api/v1/ingest/") && path !== "/api/v1/events";

/** The smallest JSON body each route takes; `$url` is the loopback receiver's, `$chained` the
 * fixture chain's webhook. Never sent as it is: every request below spoils it one way. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  "POST /api/v1/webhooks": { name: "bad-input", url: "$url", events: ["TAG_PUSH"], repository: "acme/web" },
  "PATCH /api/v1/webhooks/{id}": { name: "renamed" },
  "POST /api/v1/webhooks/preview": { format: "dtr" },
  "POST /api/v1/webhooks/{id}/test": {},
  "POST /api/v1/webhooks/{id}/secret/rotate": {},
  "POST /api/v1/webhooks/{id}/recover": { since: "2026-11-29T00:00:00Z" },
  "POST /api/v0/webhooks": { type: "TAG_PUSH", endpoint: "$url", key: "acme/web" },
  "POST /api/v0/webhooks/test": { type: "TAG_PUSH", endpoint: "$url" },
  "POST /api/v1/users": { name: "bad-input-user" },
  "POST /api/v1/users/{id}/tokens": {},
  "POST /api/v1/users/{id}/grants": { repository: "acme/api", role: "admin" },
  "POST /api/v1/callbacks/{token}": { state: "success" },
  "POST /api/v1/chains": { name: "bad-input", repository: "acme/web", events: ["TAG_PUSH"], webhooks: ["$chained"] },
  "PATCH /api/v1/chains/{id}": { name: "renamed" },
  "POST /api/v1/session": { token: "bad-input-not-a-token" },
  "PUT /api/v1/limits/webhooks": { repository: "acme/web", max: 50 },
};

/** Bad values the document cannot tell apart from good ones, and the field a 400 must name. */
const MORE_BAD_FIELDS: Record<string, Array<[string, Record<string, unknown>, string]>> = {
  // As long as the document allows, and no namespace is that long (at most 255 characters).
  "POST /api/v0/webhooks": [["key of 512 characters", { key: "a".repeat(512) }, "key"]],
};

/** Path parameters that are not ids, and the real value each takes (the fixture webhook's scope; a
 * callback token of the right shape, as a callback's body is checked before its token). */
const NAMED_PARAMS: Record<string, string> = { ns: "acme", repo: "web", token: "A".repeat(43) };

const ONE_MIB = 1024 * 1024;

interface Schema {
  $ref?: string;
  type?: string | string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  pattern?: string;
  maxLength?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
}
interface Parameter {
  in: string;
  name: string;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** What a request should be answered: a status, and the error code or the field its message starts with. */
type Expectation = { status: number; code: string } | { status: number; names: string };

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

/** Whether an error message starts with this field (`field: ...`, `field.sub: ...`, `field[0]: ...`). */
const namesField = (message: string, field: string) =>
  message.startsWith(field) && /^[:.[]/.test(message.slice(field.length));

/** Exactly `{"error": {"code": string, "message": string}}`. */
function isErrorShape(json: unknown): json is { error: { code: string; message: string } } {
  if (!json || typeof json !== "object" || Object.keys(json).length !== 1) return false;
  const error = (json as { error?: unknown }).error;
  if (!error || typeof error !== "object" || Object.keys(error).length !== 2) return false;
  const { code, message } = error as Record<string, unknown>;
  return typeof code === "string" && typeof message === "string";
}

const expectedText = (e: Expectation) => `${e.status} ${"names" in e ? `names ${e.names}` : e.code}`;

/** The answer written as its expectation is when it meets it; otherwise all of what was answered. */
function answerText(res: ApiResponse, e: Expectation): string {
  if (!isErrorShape(res.json)) return `${res.status} not the error shape: ${JSON.stringify(res.json)?.slice(0, 300)}`;
  const { code, message } = res.json.error;
  const meets = res.status === e.status && ("names" in e ? namesField(message, e.names) : code === e.code);
  return meets ? expectedText(e) : `${res.status} ${code} ${JSON.stringify(message.slice(0, 300))}`;
}

/** The schema of the document a $ref points at, or the schema itself. */
function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (!schema.$ref) return schema;
  return schema.$ref
    .replace(/^#\//, "")
    .split("/")
    .reduce((node: any, key) => node[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
}

/** A schema and its anyOf/oneOf alternatives, resolved. */
function alternatives(document: OpenApiDocument, schema: Schema): Schema[] {
  const s = resolve(document, schema);
  return [s, ...[...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap((a) => alternatives(document, a))];
}

/** The JSON types a schema allows. */
function typesOf(document: OpenApiDocument, schema: Schema): Set<string> {
  const types = new Set(alternatives(document, schema).flatMap((s) => (s.type === undefined ? [] : [s.type].flat())));
  if (types.has("integer")) types.add("number");
  return types;
}

/**
 * Values of JSON types the schema does not allow, each with how it is written in an outcome: a
 * number for a string, a string for anything else, null where null is not allowed, and one level
 * down (an array's item, an object's property or value) the same.
 */
function wrongValues(document: OpenApiDocument, schema: Schema): Array<[string, unknown]> {
  const types = typesOf(document, schema);
  if (types.size === 0) return [];
  const top: unknown = !types.has("string") ? "zz-wrong-type" : !types.has("number") ? 12345 : undefined;
  const values: unknown[] = top === undefined ? [] : [top];
  if (!types.has("null")) values.push(null);
  for (const s of alternatives(document, schema)) {
    const inner = (sub: Schema | undefined) => (sub ? wrongValues(document, sub)[0]?.[1] : undefined);
    if (s.type === "array" && inner(s.items) !== undefined) values.push([inner(s.items)]);
    const [property] = s.required ?? Object.keys(s.properties ?? {});
    if (s.type === "object" && property && inner(s.properties?.[property]) !== undefined) {
      values.push({ [property]: inner(s.properties?.[property]) });
    }
    if (s.type === "object" && typeof s.additionalProperties === "object") {
      const value = inner(s.additionalProperties);
      if (value !== undefined) values.push({ "X-Zz": value });
    }
  }
  return values.map((v) => [JSON.stringify(v), v]);
}

describe("bad input on every documented route", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let document: OpenApiDocument;
  let ajv: Ajv2020;
  let tables: string[];
  /** Real ids of every kind the fixtures make, by prefix (`wh`, `usr`, ...), the user's first. */
  const ids: Record<string, string> = {};
  /** The fixture chain's webhook (a chain takes dockerhub webhooks only). */
  let chained: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start({ worker: false });
    const served = await fetch(`${hookyard.baseUrl}/api/openapi.json`);
    expect(served.status).toBe(200);
    document = (await served.json()) as OpenApiDocument;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, "hookyard");

    const created = async (path: string, body: unknown, field = "id") => {
      const res = await hookyard.request("POST", path, { body });
      if (res.status !== 201 && res.status !== 200)
        throw new Error(`${path}: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json[field] as string;
    };
    const user = await created("/api/v1/users", { name: "fixture-user" });
    const webhook = await created("/api/v1/webhooks", {
      name: "fixture",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
    });
    const token = await created(`/api/v1/users/${user}/tokens`, {});
    const grant = await created(`/api/v1/users/${user}/grants`, { repository: "acme/web", role: "admin" });
    const delivery = await created(`/api/v1/webhooks/${webhook}/test`, {}, "deliveryId");
    chained = await created("/api/v1/webhooks", {
      name: "fixture-chained",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      format: "dockerhub",
    });
    const chain = await created("/api/v1/chains", {
      name: "fixture",
      repository: "acme/web",
      events: ["TAG_PUSH"],
      webhooks: [chained],
    });
    // A run as fan-out starts one (this test runs no worker), for the run routes' real id: step 1
    // started with the run (docs/invariants.md, chain runs).
    const event = await hookyard.db.event.create({
      data: {
        id: newId("event"),
        dedupKey: "fixture-run",
        type: "TAG_PUSH",
        source: "native",
        namespace: "acme",
        repository: "acme/web",
        tag: "v1",
        occurredAt: new Date(),
        data: {},
      },
    });
    const { id: run } = await hookyard.db.chainRun.create({
      data: {
        id: newId("chainRun"),
        chainId: chain,
        eventId: event.id,
        steps: { create: [{ id: newId("chainStep"), position: 1, webhookId: chained, startedAt: new Date() }] },
      },
    });
    for (const id of [user, webhook, token, grant, delivery, chain, run]) ids[id.slice(0, id.indexOf("_"))] = id;

    const rows = await hookyard.db.$queryRaw<Array<{ tablename: string }>>`
      SELECT tablename FROM pg_tables
      WHERE schemaname = 'public' AND tablename NOT LIKE '\\_prisma%' ORDER BY tablename`;
    tables = rows.map((r) => r.tablename);
  });
  afterAll(async () => {
    await hookyard?.close();
    await receiver?.close();
  });

  /** What a failed request must leave as it was: each table's row count, every webhook's updated_at
   * and deletion, and what reached the receiver. */
  async function snapshot(): Promise<Record<string, string>> {
    const [counts] = await hookyard.db.$queryRawUnsafe<Array<Record<string, bigint>>>(
      `SELECT ${tables.map((t) => `(SELECT count(*) FROM "${t}") AS "${t}"`).join(", ")}`,
    );
    const webhooks = await hookyard.db.$queryRaw<Array<{ id: string; updated_at: Date; deleted_at: Date | null }>>`
      SELECT id, updated_at, deleted_at FROM webhooks ORDER BY id`;
    return {
      ...Object.fromEntries(Object.entries(counts ?? {}).map(([table, n]) => [`rows of ${table}`, String(n)])),
      ...Object.fromEntries(
        webhooks.map((w) => [
          `${w.id} updated/deleted`,
          `${w.updated_at.toISOString()}/${w.deleted_at?.toISOString()}`,
        ]),
      ),
      "requests at the receiver": String(receiver.requests.length),
    };
  }

  function changes(before: Record<string, string>, after: Record<string, string>): string {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changed = keys.filter((k) => before[k] !== after[k]).map((k) => `${k} ${before[k]} -> ${after[k]}`);
    return changed.length === 0 ? "" : `; CHANGED ${changed.join(", ")}`;
  }

  /** The id prefix a path parameter's pattern names (`^wh_` -> `wh`), if it is an id. */
  const idPrefix = (parameter: Parameter) =>
    /^\^([a-z]+)_/.exec(resolve(document, parameter.schema).pattern ?? "")?.[1];

  it("refuses wrong types, unknown fields, oversize and non-JSON bodies and malformed ids with a clear 4xx, changing nothing", async () => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    let operations = 0;

    for (const [template, item] of Object.entries(document.paths)) {
      if (!covered(template)) continue;
      for (const [method, operation] of Object.entries(item)) {
        const op = `${method.toUpperCase()} ${template}`;
        operations++;
        const pathParams = (operation.parameters ?? []).filter((p) => p.in === "path");
        const real: Record<string, string> = {};
        for (const parameter of pathParams) {
          const prefix = idPrefix(parameter);
          const value = prefix !== undefined ? ids[prefix] : NAMED_PARAMS[parameter.name];
          if (value === undefined) outcomes.push(`${op}: no real value for the path parameter ${parameter.name}`);
          else real[parameter.name] = value;
        }
        const pathWith = (values: Record<string, string>) =>
          template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);

        /** Sends one bad request, and writes down what it was answered and what it changed. */
        const check = async (what: string, path: string, options: RequestOptions, expectation: Expectation) => {
          const before = await snapshot();
          const res = await hookyard.request(method.toUpperCase(), path, options);
          const after = await snapshot();
          outcomes.push(`${op} ${what}: ${answerText(res, expectation)}${changes(before, after)}`);
          expected.push(`${op} ${what}: ${expectedText(expectation)}`);
        };

        // 1. The JSON body, spoilt one way at a time.
        const schema = operation.requestBody?.content["application/json"]?.schema;
        let valid: Record<string, unknown> | undefined;
        if (schema) {
          const fromTable = VALID_BODIES[op];
          if (!fromTable) {
            outcomes.push(`${op}: has no valid body in VALID_BODIES`);
            continue;
          }
          valid = JSON.parse(
            JSON.stringify(fromTable)
              .replaceAll('"$url"', JSON.stringify(`${receiver.url}/hook`))
              .replaceAll('"$chained"', JSON.stringify(chained)),
          );
          // Valid as the document says; otherwise the cases below would prove nothing.
          const where = pointer("paths", template, method, "requestBody", "content", "application/json", "schema");
          if (ajv.getSchema(`hookyard#/${where}`)?.(valid) !== true) {
            outcomes.push(`${op}: its body in VALID_BODIES is not valid as the document says`);
            continue;
          }

          const path = pathWith(real);
          const body = (fields: Record<string, unknown>) => ({ body: { ...valid, ...fields } });
          await check("with an unknown field", path, body({ zzUnknown: 1 }), { status: 400, names: "zzUnknown" });
          for (const [property, propertySchema] of Object.entries(resolve(document, schema).properties ?? {})) {
            const wrong = wrongValues(document, propertySchema);
            if (wrong.length === 0) outcomes.push(`${op}: no value of a wrong type for ${property}`);
            for (const [written, value] of wrong) {
              const expectation = { status: 400, names: property };
              await check(`with ${property}: ${written}`, path, body({ [property]: value }), expectation);
            }
            const { maxLength } = resolve(document, propertySchema);
            if (maxLength !== undefined) {
              const long = body({ [property]: "a".repeat(maxLength + 1) });
              await check(`with ${property} longer than ${maxLength}`, path, long, { status: 400, names: property });
            }
          }
          for (const [what, fields, field] of MORE_BAD_FIELDS[op] ?? []) {
            await check(`with ${what}`, path, body(fields), { status: 400, names: field });
          }
          await check("with an array for a body", path, { body: [valid] }, { status: 400, names: "body" });
          await check("with a 1 MiB string", path, body({ zzPadding: "x".repeat(ONE_MIB) }), {
            status: 413,
            code: "payload_too_large",
          });
          await check(
            "with a text/plain body",
            path,
            { rawBody: JSON.stringify(valid), contentType: "text/plain" },
            { status: 415, code: "unsupported_media_type" },
          );
          await check(
            "with JSON that does not parse",
            path,
            { rawBody: '{"name":', contentType: "application/json" },
            { status: 400, code: "malformed_json" },
          );
        }

        // 2. Malformed path parameters, one at a time, the others real and the body valid.
        for (const parameter of pathParams) {
          const prefix = idPrefix(parameter);
          const malformed: Array<[string, string, Expectation]> = [];
          if (prefix !== undefined) {
            const otherKind = Object.values(ids).find((id) => !id.startsWith(`${prefix}_`)) ?? "";
            const notFound = { status: 404, code: "not_found" };
            malformed.push(
              ["not-an-id", "not-an-id", notFound],
              ["%00 (NUL)", "%00", notFound],
              ["of another kind", otherKind, notFound],
              ["of 10,000 characters", "a".repeat(10_000), notFound],
            );
          }
          malformed.push(["%ZZ (malformed percent-encoding)", "%ZZ", { status: 400, names: parameter.name }]);
          for (const [what, value, expectation] of malformed) {
            const path = pathWith({ ...real, [parameter.name]: value });
            await check(`with ${parameter.name} ${what}`, path, valid ? { body: valid } : {}, expectation);
          }
        }

        // 3. Query parameters of a wrong type: given twice (a list), and a word where a number goes.
        for (const parameter of (operation.parameters ?? []).filter((p) => p.in === "query")) {
          const types = typesOf(document, parameter.schema);
          const queries = [`${parameter.name}=1&${parameter.name}=2`];
          if (types.has("number") && !types.has("string")) queries.push(`${parameter.name}=zz`);
          for (const query of queries) {
            await check(`with ?${query}`, `${pathWith(real)}?${query}`, {}, { status: 400, names: parameter.name });
          }
        }
      }
    }

    expect(operations).toBeGreaterThanOrEqual(20);
    expect(outcomes).toEqual(expected);
  }, 60_000);
});
