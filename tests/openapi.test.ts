import { existsSync } from "node:fs";
import { PAYLOAD_FORMATS } from "@hookyard/core";
import { manifestPush, type Receiver, startReceiver } from "@hookyard/testkit";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { INGEST_ROUTES } from "../apps/api/src/routes/ingest.js";
import { createWebhookBody } from "../apps/api/src/services/webhooks.js";
import { CHROMIUM, launchChromium } from "./support/browser.js";
import { ADMIN_TOKEN, INGEST_TOKEN, TestHookyard } from "./support/hookyard.js";

/**
 * Every route Hookyard answers, as OpenAPI writes paths. A route added to the app, or to the
 * document, without the other fails the test below; add it here when both have it.
 */
const ROUTES = [
  "POST /api/v1/webhooks",
  "POST /api/v1/webhooks/preview",
  "GET /api/v1/webhooks",
  "GET /api/v1/webhooks/{id}",
  "PATCH /api/v1/webhooks/{id}",
  "DELETE /api/v1/webhooks/{id}",
  "GET /api/v1/webhooks/{id}/deliveries",
  "POST /api/v1/webhooks/{id}/test",
  "POST /api/v1/webhooks/{id}/secret/rotate",
  "POST /api/v1/webhooks/{id}/recover",
  "POST /api/v1/deliveries/{id}/redeliver",
  "GET /api/v1/deliveries/{id}",
  "POST /api/v1/callbacks/{token}",
  "POST /api/v1/chains",
  "GET /api/v1/chains",
  "GET /api/v1/chains/{id}",
  "PATCH /api/v1/chains/{id}",
  "DELETE /api/v1/chains/{id}",
  "GET /api/v1/chains/{id}/runs",
  "GET /api/v1/chain-runs/{id}",
  "POST /api/v1/session",
  "GET /api/v1/session",
  "DELETE /api/v1/session",
  "GET /api/v1/repositories",
  "POST /api/v0/webhooks",
  "GET /api/v0/webhooks",
  "DELETE /api/v0/webhooks/{id}",
  "POST /api/v0/webhooks/test",
  "GET /api/v0/repositories/{ns}/{repo}/webhooks",
  "GET /api/v0/repositories/{ns}/webhooks",
  "GET /api/v1/me",
  "GET /api/v1/overview",
  "POST /api/v1/users",
  "GET /api/v1/users",
  "GET /api/v1/users/{id}",
  "DELETE /api/v1/users/{id}",
  "POST /api/v1/users/{id}/tokens",
  "GET /api/v1/users/{id}/tokens",
  "DELETE /api/v1/users/{id}/tokens/{tokenId}",
  "POST /api/v1/users/{id}/grants",
  "GET /api/v1/users/{id}/grants",
  "DELETE /api/v1/users/{id}/grants/{grantId}",
  "GET /api/v1/limits/webhooks",
  "PUT /api/v1/limits/webhooks",
  "POST /api/v1/ingest/distribution",
  "POST /api/v1/ingest/harbor",
  "POST /api/v1/ingest/quay",
  "POST /api/v1/ingest/quay/{token}",
  "POST /api/v1/ingest/zot",
  "POST /api/v1/events",
  "GET /healthz",
  "GET /readyz",
  "GET /metrics",
  "GET /admin/queues",
  "GET /api/openapi.json",
  "GET /api/docs",
  "GET /api/docs/{asset}",
].sort();

// The Express apps the server under test builds, seen as they are made (the module is the real
// one, wrapped): the routes it declares are the routes it answers.
const createdApps = vi.hoisted((): unknown[] => []);
vi.mock("../apps/api/src/app.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../apps/api/src/app.js")>();
  return {
    ...original,
    createApp: (...args: Parameters<typeof original.createApp>) => {
      const app = original.createApp(...args);
      createdApps.push(app);
      return app;
    },
  };
});

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

// ajv-formats is CommonJS with a default export; NodeNext types see the module object around it.
const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[]; set?: unknown };
  rawPath?: unknown;
}

/** The routes an Express app's routers declare. A router or app mounted at a path of its own
 * (Bull Board, an Express app of its own) counts as one page at that path. */
function declaredRoutes(stack: Layer[], into: Set<string> = new Set()): Set<string> {
  for (const layer of stack) {
    const mounted = layer.handle && (Array.isArray(layer.handle.stack) || typeof layer.handle.set === "function");
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods)) into.add(`${method.toUpperCase()} ${layer.route.path}`);
    } else if (mounted && typeof layer.rawPath === "string" && layer.rawPath !== "/") {
      into.add(`GET ${layer.rawPath}`);
    } else if (layer.handle?.stack) {
      declaredRoutes(layer.handle.stack, into);
    }
  }
  return into;
}

const asOpenApiPaths = (route: string) => [route.replace(/:(\w+)/g, "{$1}")];
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

describe("OpenAPI document and API reference", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  let document: any;
  let ajv: Ajv2020;

  beforeAll(async () => {
    receiver = await startReceiver();
    hookyard = await TestHookyard.start();
    const res = await fetch(`${hookyard.baseUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    document = await res.json();
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(document, "hookyard");
  });
  afterAll(async () => {
    await receiver?.close();
    await hookyard?.close();
  });

  /** A schema of the document, by JSON pointer, compiled with the document around it for its $refs. */
  function validatorAt(...path: string[]) {
    const validate = ajv.getSchema(`hookyard#/${pointer(...path)}`);
    if (!validate) throw new Error(`no schema at ${path.join(" > ")}`);
    return (value: unknown) => {
      const valid = validate(value);
      return { valid, errors: validate.errors ?? [] };
    };
  }

  const jsonSchemaAt = (...path: string[]) => validatorAt(...path, "content", "application/json", "schema");

  function resolve(schema: { $ref?: string }): any {
    if (!schema.$ref) return schema;
    return schema.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce((node: any, key) => node[key.replaceAll("~1", "/").replaceAll("~0", "~")], document);
  }

  it("is served without a token and is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(document.components.securitySchemes).toMatchObject({
      bearerAuth: { type: "http", scheme: "bearer" },
      basicAuth: { type: "http", scheme: "basic" },
    });
  });

  it("documents exactly the routes the app answers", async () => {
    const app = createdApps.at(-1) as unknown as { router: { stack: Layer[] } };
    const answered = declaredRoutes(app.router.stack);
    for (const route of INGEST_ROUTES) {
      answered.add(`POST ${route.path}`);
      // Served with the ingest token as the last segment too (http/ingest-handler.ts).
      if (route.tokenInPath) answered.add(`POST ${route.path}/:token`);
    }
    // The web UI's pages (/ui, /ui/...) are the app's files, not API: tests/web-session.test.ts checks them.
    const api = [...answered].filter((route) => !/^GET \/ui(\/|$)/.test(route));
    expect(api.flatMap(asOpenApiPaths).sort()).toEqual(ROUTES);

    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES);

    // And the server really answers each of them (anything but the catch-all "no route" 404).
    for (const route of ROUTES) {
      const [method, path] = route.split(" ") as [string, string];
      const concrete = path.replace("{asset}", "init.js").replace(/\{\w+\}/g, "x");
      const res = await hookyard.request(method, concrete, { token: null });
      expect(res.json?.error?.message ?? "", route).not.toMatch(/^no route for/);
    }
  });

  it("generates the webhook request body from the schema the route validates with", () => {
    const body = document.paths["/api/v1/webhooks"].post.requestBody;
    const schema = resolve(body.content["application/json"].schema);
    const fields = Object.keys(schema.properties);
    expect(fields).toEqual(
      expect.arrayContaining([
        "name",
        "url",
        "events",
        "repository",
        "namespace",
        "format",
        "secret",
        "headers",
        "enabled",
      ]),
    );
    expect(fields.sort()).toEqual(Object.keys(createWebhookBody.shape).sort());
    expect(schema.required.sort()).toEqual(["events", "name", "url"]);
    expect(schema.additionalProperties).toBe(false);

    const deliveriesQuery = document.paths["/api/v1/webhooks/{id}/deliveries"].get.parameters;
    expect(deliveriesQuery.filter((p: any) => p.in === "query").map((p: any) => p.name)).toEqual([
      "status",
      "tag",
      "eventId",
      "from",
      "to",
      "limit",
      "cursor",
    ]);
  });

  it("pages every list: limit and cursor in, items and nextCursor out", () => {
    const lists = Object.entries(document.paths as Record<string, any>).flatMap(([path, item]) => {
      const schema = item.get?.responses?.["200"]?.content?.["application/json"]?.schema;
      return schema && resolve(schema).properties?.items ? [[path, item.get, resolve(schema)] as const] : [];
    });
    expect(lists.map(([path]) => path).sort()).toEqual(
      [
        "/api/v1/webhooks",
        "/api/v1/webhooks/{id}/deliveries",
        "/api/v1/chains",
        "/api/v1/chains/{id}/runs",
        "/api/v1/repositories",
        "/api/v1/users",
        "/api/v1/users/{id}/tokens",
        "/api/v1/users/{id}/grants",
        "/api/v1/limits/webhooks",
      ].sort(),
    );
    for (const [path, operation, schema] of lists) {
      expect(schema.required, path).toEqual(expect.arrayContaining(["items", "nextCursor"]));
      const query = operation.parameters.filter((p: any) => p.in === "query").map((p: any) => p.name);
      expect(query, path).toEqual(expect.arrayContaining(["limit", "cursor"]));
    }
  });

  it("describes what the API really accepts and answers", async () => {
    const body = {
      name: "ci",
      url: `${receiver.url}/hook`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      headers: { "X-Team": "web", Authorization: "Bearer abc" },
    };
    const createRequest = validatorAt(
      "paths",
      "/api/v1/webhooks",
      "post",
      "requestBody",
      "content",
      "application/json",
      "schema",
    );
    expect(createRequest(body)).toEqual({ valid: true, errors: [] });
    // The document refuses what the API refuses, too.
    expect(createRequest({ ...body, colour: "red" }).valid).toBe(false);

    const created = await hookyard.request("POST", "/api/v1/webhooks", { body });
    expect(created.status).toBe(201);
    expect(jsonSchemaAt("paths", "/api/v1/webhooks", "post", "responses", "201")(created.json).errors).toEqual([]);

    const fetched = await hookyard.request("GET", `/api/v1/webhooks/${created.json.id}`);
    expect(fetched.status).toBe(200);
    const webhookResponse = jsonSchemaAt("paths", "/api/v1/webhooks/{id}", "get", "responses", "200");
    expect(webhookResponse(fetched.json)).toEqual({ valid: true, errors: [] });
    expect(webhookResponse({ ...fetched.json, secret: "whsec_..." }).valid).toBe(false);

    const list = await hookyard.request("GET", "/api/v1/webhooks");
    expect(jsonSchemaAt("paths", "/api/v1/webhooks", "get", "responses", "200")(list.json).errors).toEqual([]);

    const ingested = await hookyard.request("POST", "/api/v1/ingest/distribution", {
      body: manifestPush({ repository: "acme/web", tag: "1.0", actor: "alice" }),
      token: INGEST_TOKEN,
      contentType: "application/vnd.docker.distribution.events.v1+json",
    });
    expect(ingested.status).toBe(202);
    const ingestAnswer = jsonSchemaAt("paths", "/api/v1/ingest/distribution", "post", "responses", "202");
    expect(ingestAnswer(ingested.json).errors).toEqual([]);

    const [summary] = await hookyard.settledDeliveries(created.json.id, 1);
    const page = await hookyard.request("GET", `/api/v1/webhooks/${created.json.id}/deliveries`);
    const pageSchema = jsonSchemaAt("paths", "/api/v1/webhooks/{id}/deliveries", "get", "responses", "200");
    expect(pageSchema(page.json).errors).toEqual([]);
    const delivery = await hookyard.request("GET", `/api/v1/deliveries/${summary?.id}`);
    expect(delivery.json.attempts).toHaveLength(1);
    expect(jsonSchemaAt("paths", "/api/v1/deliveries/{id}", "get", "responses", "200")(delivery.json).errors).toEqual(
      [],
    );

    const me = await hookyard.request("GET", "/api/v1/me");
    expect(jsonSchemaAt("paths", "/api/v1/me", "get", "responses", "200")(me.json).errors).toEqual([]);

    const chained = await hookyard.createWebhook({ ...body, name: "chained", format: "dockerhub" });
    const chainBody = { name: "release", repository: "acme/web", events: ["TAG_PUSH"], webhooks: [chained.id] };
    const chainRequest = validatorAt(
      "paths",
      "/api/v1/chains",
      "post",
      "requestBody",
      "content",
      "application/json",
      "schema",
    );
    expect(chainRequest(chainBody)).toEqual({ valid: true, errors: [] });
    expect(chainRequest({ ...chainBody, colour: "red" }).valid).toBe(false);
    const chain = await hookyard.request("POST", "/api/v1/chains", { body: chainBody });
    expect(chain.status).toBe(201);
    expect(jsonSchemaAt("paths", "/api/v1/chains", "post", "responses", "201")(chain.json)).toEqual({
      valid: true,
      errors: [],
    });
    const chains = await hookyard.request("GET", "/api/v1/chains");
    expect(jsonSchemaAt("paths", "/api/v1/chains", "get", "responses", "200")(chains.json).errors).toEqual([]);

    const users = await hookyard.request("GET", "/api/v1/users?limit=1");
    expect(users.json.nextCursor).toBeNull();
    expect(jsonSchemaAt("paths", "/api/v1/users", "get", "responses", "200")(users.json).errors).toEqual([]);
    const repositories = await hookyard.request("GET", "/api/v1/repositories");
    expect(jsonSchemaAt("paths", "/api/v1/repositories", "get", "responses", "200")(repositories.json).errors).toEqual(
      [],
    );
    const limitRequest = validatorAt(
      "paths",
      "/api/v1/limits/webhooks",
      "put",
      "requestBody",
      "content",
      "application/json",
      "schema",
    );
    expect(limitRequest({ repository: "acme/web", max: 2000 })).toEqual({ valid: true, errors: [] });
    const limit = await hookyard.request("PUT", "/api/v1/limits/webhooks", {
      body: { repository: "acme/web", max: 2000 },
    });
    expect(limit.status).toBe(200);
    expect(jsonSchemaAt("paths", "/api/v1/limits/webhooks", "put", "responses", "200")(limit.json).errors).toEqual([]);
    const limits = await hookyard.request("GET", "/api/v1/limits/webhooks");
    expect(limits.json.items).toHaveLength(1);
    expect(jsonSchemaAt("paths", "/api/v1/limits/webhooks", "get", "responses", "200")(limits.json).errors).toEqual([]);

    const missing = await hookyard.request("GET", `/api/v1/webhooks/${created.json.id}x`);
    expect(missing.status).toBe(404);
    expect(validatorAt("components", "schemas", "Error")(missing.json)).toEqual({ valid: true, errors: [] });
  });

  it("sends receivers what its webhooks section says, in every format: headers and body", async () => {
    const formats = Object.keys(document.webhooks);
    expect(formats.sort()).toEqual([...PAYLOAD_FORMATS].sort());
    for (const format of formats) {
      const webhook = await hookyard.createWebhook({
        name: `sent-${format}`,
        url: `${receiver.url}/deliver/${format}`,
        events: ["TAG_PUSH"],
        repository: "acme/web",
        format,
        ...(format === "template" ? { template: '{"tag": {{ event.tag | json }}}' } : {}),
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      });
      const sent = await hookyard.request("POST", `/api/v1/webhooks/${webhook.id}/test`, { body: {} });
      expect(sent.status, format).toBe(200);
      const request = receiver.requests.find((r) => r.path === `/deliver/${format}`);
      if (!request) throw new Error(`no ${format} delivery arrived`);

      const operation = document.webhooks[format].post;
      const [mediaType] = Object.keys(operation.requestBody.content) as [string];
      // A template's body is any media type: the one its webhook names (application/json by default).
      const expectedType = mediaType === "*/*" ? "application/json" : mediaType;
      expect(request.headers["content-type"]?.split(";")[0], format).toBe(expectedType);
      const bodySchema = validatorAt("webhooks", format, "post", "requestBody", "content", mediaType, "schema");
      const body = mediaType === "*/*" ? request.body : request.json;
      expect(bodySchema(body), format).toEqual({ valid: true, errors: [] });
      operation.parameters.forEach((parameter: any, i: number) => {
        const value = request.headers[parameter.name];
        if (parameter.required) expect(value, `${format}: ${parameter.name}`).toBeDefined();
        const headerSchema = validatorAt("webhooks", format, "post", "parameters", String(i), "schema");
        expect(headerSchema(value), `${format}: ${parameter.name}`).toEqual({ valid: true, errors: [] });
      });
      // The webhook has a secret, so the optional signature is there too.
      expect(request.headers["webhook-signature"], format).toMatch(/^v1,/);
    }
  });

  it("serves the reference page and everything it loads itself", async () => {
    const res = await fetch(`${hookyard.baseUrl}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    const references = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) {
      // Same host: a path of Hookyard's, not another origin's ("//cdn..." or "https://...").
      expect(reference, reference).toMatch(/^\/(?!\/)/);
      const asset = await fetch(new URL(reference, hookyard.baseUrl));
      expect(asset.status, reference).toBe(200);
      const type = asset.headers.get("content-type") ?? "";
      if (reference.endsWith(".js")) expect(type, reference).toMatch(/^text\/javascript/);
      if (reference.endsWith(".css")) expect(type, reference).toMatch(/^text\/css/);
      if (reference.endsWith(".png")) expect(type, reference).toBe("image/png");
      expect((await asset.arrayBuffer()).byteLength, reference).toBeGreaterThan(0);
    }
    expect((await fetch(`${hookyard.baseUrl}/api/docs/index.html`)).status).toBe(404);
    expect((await fetch(`${hookyard.baseUrl}/api/docs/..%2Fpackage.json`)).status).toBe(404);
  });

  it("renders every operation in a browser without asking any other host", async () => {
    expect(existsSync(CHROMIUM), "Debian's chromium (scripts/test-prerequisites.sh installs it)").toBe(true);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const requested: string[] = [];
      const problems: string[] = [];
      page.on("request", (request) => requested.push(request.url()));
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(`${hookyard.baseUrl}/api/docs`);
      // The paths, and the webhooks (what Hookyard sends), each shown under its name.
      const items = { ...document.paths, ...document.webhooks } as Record<string, object>;
      const operations = Object.values(items).reduce((n: number, item) => n + Object.keys(item).length, 0);
      await page.waitForFunction((n) => document.querySelectorAll(".opblock").length >= n, operations, {
        timeout: 15_000,
      });
      const paths = await page.locator(".opblock-summary-path").allTextContents();
      expect(new Set(paths.map((p) => p.replaceAll("\u200b", "")))).toEqual(new Set(Object.keys(items)));
      expect(await page.locator(".info .title").textContent()).toContain("Hookyard");

      const elsewhere = requested.filter((url) => {
        const { protocol, hostname } = new URL(url);
        return protocol !== "data:" && !LOOPBACK_HOSTS.has(hostname);
      });
      expect(elsewhere).toEqual([]);
      expect(requested).toContain(`${hookyard.baseUrl}/api/openapi.json`);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("takes a token as the password of Basic auth where the document's basicAuth says: /api/v0 and /admin/queues", async () => {
    const basic = { authorization: `Basic ${Buffer.from(`any:${ADMIN_TOKEN}`).toString("base64")}` };
    const basicPaths = Object.entries(document.paths as Record<string, Record<string, any>>)
      .filter(([, item]) => Object.values(item).some((op) => op.security?.some((s: object) => "basicAuth" in s)))
      .map(([path]) => path)
      .sort();
    expect(basicPaths).toEqual([
      "/admin/queues",
      "/api/v0/repositories/{ns}/webhooks",
      "/api/v0/repositories/{ns}/{repo}/webhooks",
      "/api/v0/webhooks",
      "/api/v0/webhooks/test",
      "/api/v0/webhooks/{id}",
    ]);
    expect((await hookyard.request("GET", "/api/v0/webhooks", { token: null, headers: basic })).status).toBe(200);
    const me = await hookyard.request("GET", "/api/v1/me", { token: null, headers: basic });
    expect(me.status).toBe(401);
    expect(me.json.error.message).toContain("Authorization: Bearer");
  });
});
