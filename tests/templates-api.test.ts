import { hashToken } from "@hookyard/core";
import { newId } from "@hookyard/db";
import { manifestPush } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/*
 * The template fields and POST /api/v1/webhooks/preview through the API: what is refused at the
 * edge (with the field, the line and the setting named), what is shown back, and what a preview
 * renders for a sample, a stored event and a repository's latest one, for whom.
 */

const REPO_ADMIN_TOKEN = "token-of-web-admin-0123456789";
// 1,000 bytes written out, 300 times: 300,000 bytes in a few loop turns (no render time to speak of).
const KILOBYTE = "0123456789".repeat(100);
const TEMPLATE = '{"text": "pushed {{ event.repository }}:{{ event.tag }}", "tag": {{ event.tag | json }}}';

describe("template webhooks and previews through the API", () => {
  let hookyard: TestHookyard;
  const base = { name: "t", url: "http://127.0.0.1:9/hook", events: ["TAG_PUSH"], repository: "acme/web" };

  beforeAll(async () => {
    hookyard = await TestHookyard.start({ worker: false, env: { HOOKYARD_TEMPLATE_MAX_BYTES: "2048" } });
    const user = await hookyard.db.user.create({ data: { id: newId("user"), name: "web-admin" } });
    await hookyard.db.apiToken.create({
      data: { id: newId("token"), userId: user.id, tokenHash: hashToken(REPO_ADMIN_TOKEN) },
    });
    await hookyard.db.grant.create({
      data: { id: newId("grant"), userId: user.id, repository: "acme/web", namespace: "acme", role: "admin" },
    });
  });
  afterAll(async () => {
    await hookyard.close();
  });

  const create = (body: Record<string, unknown>) => hookyard.request("POST", "/api/v1/webhooks", { body });
  const webhookCount = () => hookyard.db.webhook.count();

  it("creates a template webhook and shows its template and content type in GET and in the list", async () => {
    const res = await create({ ...base, format: "template", template: TEMPLATE });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ format: "template", template: TEMPLATE, templateContentType: "application/json" });
    const got = await hookyard.request("GET", `/api/v1/webhooks/${res.json.id}`);
    expect(got.json).toMatchObject({ template: TEMPLATE, templateContentType: "application/json" });
    const list = await hookyard.request("GET", "/api/v1/webhooks?repository=acme/web");
    const item = list.json.items.find((w: { id: string }) => w.id === res.json.id);
    expect(item).toMatchObject({ template: TEMPLATE, templateContentType: "application/json" });

    const plain = await create({
      ...base,
      format: "template",
      template: "{{ event.tag }}",
      templateContentType: "text/plain; charset=utf-8",
    });
    expect(plain.json.templateContentType).toBe("text/plain; charset=utf-8");
    const slack = await create({ ...base, format: "slack" });
    expect(slack.json).toMatchObject({ format: "slack", template: null, templateContentType: null });
  });

  it.each([
    [
      "a syntax error, with its line and column",
      { format: "template", template: '{\n  "tag": {{ event.tag | json }},\n  {% if event.tag %}\n}' },
      /^template: line 3, column 3: tag \{% if event.tag %\} not closed/,
    ],
    [
      "an unknown filter",
      { format: "template", template: "{{ event.tag | shout }}" },
      /^template: line 1, column 1: undefined filter: shout$/,
    ],
    [
      "a file include",
      { format: "template", template: '{% include "/etc/passwd" %}' },
      /^template: line 1, column 1: tag "include" not found: a template cannot include other templates or files$/,
    ],
    [
      "a template over HOOKYARD_TEMPLATE_MAX_BYTES",
      { format: "template", template: "x".repeat(2049) },
      /^template: the template is 2049 bytes, over the limit of 2048 \(HOOKYARD_TEMPLATE_MAX_BYTES\)$/,
    ],
    [
      "a template whose render of one of the webhook's types is too big",
      {
        format: "template",
        events: ["TAG_PUSH", "TAG_DELETE"],
        template: `{% if event.type == "TAG_DELETE" %}{% for i in (1..300) %}${KILOBYTE}{% endfor %}{% endif %}ok`,
      },
      /^template: rendering a sample TAG_DELETE event: the rendered body is 300002 bytes, over the limit of 262144 \(HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES\)$/,
    ],
    [
      "a template format without a template",
      { format: "template" },
      /^template: a webhook of format template needs a template$/,
    ],
    [
      "a template with another format",
      { format: "dtr", template: "{{ event.tag }}" },
      /^template: only a webhook of format template carries one; this one's format is dtr$/,
    ],
    [
      "a content type with another format",
      { format: "slack", templateContentType: "text/plain" },
      /^templateContentType: only a webhook of format template carries one; this one's format is slack$/,
    ],
    [
      "a content type that is not a media type",
      { format: "template", template: "x", templateContentType: "text plain" },
      /^templateContentType: "text plain" is not a media type/,
    ],
  ])("refuses %s with 400 naming the field, and creates nothing", async (_what, fields, message) => {
    const before = await webhookCount();
    const res = await create({ ...base, ...fields });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    expect(res.json.error.message).toMatch(message);
    expect(await webhookCount()).toBe(before);
  });

  it("checks a template on PATCH, changes nothing on error, and drops it when the format changes", async () => {
    const { id } = await hookyard.createWebhook({ ...base, format: "template", template: TEMPLATE });
    const bad = await hookyard.request("PATCH", `/api/v1/webhooks/${id}`, { body: { template: "{{ oops" } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/^template: line 1, column 1: /);
    expect((await hookyard.request("GET", `/api/v1/webhooks/${id}`)).json.template).toBe(TEMPLATE);

    // New types are rendered too: this template is too big for SCAN_FAILED only.
    const picky = `{% if event.type == "SCAN_FAILED" %}{% for i in (1..300) %}${KILOBYTE}{% endfor %}{% endif %}ok`;
    expect((await hookyard.request("PATCH", `/api/v1/webhooks/${id}`, { body: { template: picky } })).status).toBe(200);
    const types = await hookyard.request("PATCH", `/api/v1/webhooks/${id}`, {
      body: { events: ["TAG_PUSH", "SCAN_FAILED"] },
    });
    expect(types.status).toBe(400);
    expect(types.json.error.message).toMatch(/^template: rendering a sample SCAN_FAILED event: /);

    const changed = await hookyard.request("PATCH", `/api/v1/webhooks/${id}`, {
      body: { template: "{{ event.tag }}", templateContentType: "text/plain" },
    });
    expect(changed.json).toMatchObject({ template: "{{ event.tag }}", templateContentType: "text/plain" });
    const dtr = await hookyard.request("PATCH", `/api/v1/webhooks/${id}`, { body: { format: "dtr" } });
    expect(dtr.json).toMatchObject({ format: "dtr", template: null, templateContentType: null });
    const back = await hookyard.request("PATCH", `/api/v1/webhooks/${id}`, { body: { format: "template" } });
    expect(back.status).toBe(400);
    expect(back.json.error.message).toBe("template: a webhook of format template needs a template");
  });

  it("previews a template for a sample event, sending nothing", async () => {
    const res = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      body: { format: "template", template: TEMPLATE, eventType: "TAG_PUSH", repository: "acme/web" },
    });
    expect(res.status).toBe(200);
    expect(res.json.contentType).toBe("application/json");
    expect(JSON.parse(res.json.body)).toEqual({ text: "pushed acme/web:latest", tag: "latest" });
    expect(res.json.headers).toMatchObject({ "content-type": "application/json", "x-hookyard-event": "TAG_PUSH" });
    expect(res.json.headers["webhook-signature"]).toBeUndefined();

    const slack = await hookyard.request("POST", "/api/v1/webhooks/preview", { body: { format: "slack" } });
    expect(JSON.parse(slack.json.body).text).toBe("Tag pushed in hookyard/sample:latest");
    const bad = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      body: { format: "template", template: "ok\n{{ event.tag | nope }}" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe("template: line 2, column 1: undefined filter: nope");
    const hub = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      body: { format: "dockerhub", eventType: "TAG_DELETE" },
    });
    expect(hub.status).toBe(400);
    expect(hub.json.error.message).toMatch(/^format: a dockerhub webhook takes only TAG_PUSH/);
  });

  it("previews a stored event and a repository's latest one for those who may see it, 404 for others", async () => {
    for (const tag of ["1.0", "2.0"]) {
      expect(
        (await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag, actor: "alice" }))).status,
      ).toBe(202);
    }
    expect((await hookyard.ingestDistribution(manifestPush({ repository: "other/api", tag: "9" }))).status).toBe(202);
    const stored = await hookyard.db.event.findMany({ orderBy: { id: "asc" } });
    const first = stored.find((e) => e.tag === "1.0" && e.type === "TAG_PUSH")!;
    const other = stored.find((e) => e.repository === "other/api" && e.type === "TAG_PUSH")!;

    const byId = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      token: REPO_ADMIN_TOKEN,
      body: { format: "template", template: "{{ event.id }} {{ event.tag }} {{ event.actor }}", eventId: first.id },
    });
    expect(byId.status).toBe(200);
    expect(byId.json.body).toBe(`${first.id} 1.0 alice`);

    const latest = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      token: REPO_ADMIN_TOKEN,
      body: { format: "template", template: "{{ event.tag }}", latestOf: "acme/web", eventType: "TAG_PUSH" },
    });
    expect(latest.json.body).toBe("2.0");
    // The answer names the event it rendered, so a form can say which push it shows.
    expect(latest.json).toMatchObject({ eventType: "TAG_PUSH", repository: "acme/web", tag: "2.0" });
    expect(Date.parse(latest.json.occurredAt)).not.toBeNaN();

    // Another repository's event is not known to exist for this user; a global admin sees it.
    const hidden = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      token: REPO_ADMIN_TOKEN,
      body: { format: "dtr", eventId: other.id },
    });
    expect(hidden.status).toBe(404);
    const hiddenLatest = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      token: REPO_ADMIN_TOKEN,
      body: { format: "dtr", latestOf: "other/api" },
    });
    expect(hiddenLatest.status).toBe(404);
    const admin = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      body: { format: "dtr", eventId: other.id },
    });
    expect(JSON.parse(admin.json.body)).toMatchObject({ type: "TAG_PUSH", contents: { repository: "api", tag: "9" } });

    const none = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      body: { format: "dtr", latestOf: "acme/empty" },
    });
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe("not_found");
    const both = await hookyard.request("POST", "/api/v1/webhooks/preview", {
      body: { format: "dtr", latestOf: "acme/web", eventId: first.id },
    });
    expect(both.status).toBe(400);
  });

  it("lists template and chat webhooks in /api/v0 in DTR's shape, which has no field for them", async () => {
    const v0 = await hookyard.request("GET", "/api/v0/repositories/acme/web/webhooks");
    expect(v0.status).toBe(200);
    const formats = await hookyard.db.webhook.findMany({ where: { repository: "acme/web", deletedAt: null } });
    expect(v0.json).toHaveLength(formats.length);
    expect(formats.map((w) => w.format)).toEqual(expect.arrayContaining(["template", "slack"]));
    for (const hook of v0.json) {
      expect(Object.keys(hook).sort()).toEqual(
        [
          "authorID",
          "createdAt",
          "endpoint",
          "id",
          "inactive",
          "key",
          "lastSuccessfulAt",
          "skipTLSVerification",
          "tlsCert",
          "type",
        ].sort(),
      );
    }
  });
});
