import { createHmac } from "node:crypto";
import { manifestPush, type ReceivedRequest, type Receiver, startReceiver, waitFor } from "@hookyard/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestHookyard } from "./support/hookyard.js";

/*
 * Template and chat webhooks end to end: a Distribution push through the API and a worker to
 * loopback receivers. The body is exactly what the template renders, with its content type and a
 * signature over it; each chat format arrives as its service's JSON; a template that fails at send
 * time fails its attempts with the reason `template`, and the worker goes on delivering.
 */

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

describe("template and chat formats on the wire", () => {
  let hookyard: TestHookyard;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    // Small enough that a long actor pushes one template over it; the samples checked at creation fit.
    hookyard = await TestHookyard.start({ env: { HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES: "2048" } });
  });
  afterAll(async () => {
    await hookyard.close();
    await receiver.close();
  });

  const at = (path: string) => receiver.requests.filter((r) => r.path === path);
  const arrived = (path: string, count = 1): Promise<ReceivedRequest[]> =>
    waitFor(() => at(path).length >= count && at(path), { what: `${count} requests at ${path}` });

  it("sends exactly the rendered template, with its content type, signed over the rendered body", async () => {
    const template =
      "{{ webhook.name }}: {{ event.type }} of {{ event.repository }}:{{ event.tag }} by {{ event.actor }} " +
      "({{ event.contents.imageName }}) delivery {{ delivery.id }} event {{ event.id }} tag {{ event.tag | json }}";
    const hook = await hookyard.createWebhook({
      name: "ci-text",
      url: `${receiver.url}/text`,
      events: ["TAG_PUSH"],
      repository: "acme/web",
      format: "template",
      template,
      templateContentType: "text/plain; charset=utf-8",
      secret: SECRET,
    });
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/web", tag: 'v"1', actor: "alice" }));
    const [request] = await arrived("/text");
    const [delivery] = await hookyard.settledDeliveries(hook.id, 1);
    const event = await hookyard.db.event.findFirstOrThrow({ where: { repository: "acme/web", type: "TAG_PUSH" } });
    expect(request!.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(request!.body).toBe(
      `ci-text: TAG_PUSH of acme/web:v"1 by alice (acme/web:v"1) delivery ${delivery!.id} event ${event.id} tag "v\\"1"`,
    );
    // Standard Webhooks' signature over this very body (the library's verify also parses it as JSON,
    // which a text body is not, so the HMAC is computed as its specification says).
    const { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature } = request!.headers;
    const key = Buffer.from(SECRET.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${request!.body}`).digest("base64");
    expect(signature).toBe(`v1,${expected}`);
    expect(delivery!.status).toBe("succeeded");
  });

  it("delivers a push as a message of each chat service", async () => {
    const checks: Record<string, (body: any) => void> = {
      slack: (body) => expect(body.text).toBe("Tag pushed in acme/chat:2.0"),
      teams: (body) => expect(body.attachments[0].content.body[0].text).toBe("Tag pushed in acme/chat:2.0"),
      discord: (body) => expect(body.embeds[0]).toMatchObject({ title: "Tag pushed", description: "acme/chat:2.0" }),
      googlechat: (body) => expect(body.text).toMatch(/^\*Tag pushed\*\nRepository: `acme\/chat`\nTag: `2.0`/),
    };
    for (const format of Object.keys(checks)) {
      await hookyard.createWebhook({
        name: format,
        url: `${receiver.url}/${format}`,
        events: ["TAG_PUSH"],
        repository: "acme/chat",
        format,
      });
    }
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/chat", tag: "2.0", actor: "bob" }));
    for (const [format, check] of Object.entries(checks)) {
      const [request] = await arrived(`/${format}`);
      expect(request!.headers["content-type"], format).toBe("application/json");
      check(JSON.parse(request!.body));
      expect(request!.body, format).toContain("bob");
    }
  });

  it("fails each attempt of a template that renders too big with reason template, and keeps delivering", async () => {
    const big = await hookyard.createWebhook({
      name: "big",
      url: `${receiver.url}/big`,
      events: ["TAG_PUSH"],
      repository: "acme/big",
      format: "template",
      template: "{% for i in (1..20) %}{{ event.actor }}{% endfor %}",
    });
    const fine = await hookyard.createWebhook({
      name: "fine",
      url: `${receiver.url}/fine`,
      events: ["TAG_PUSH"],
      repository: "acme/big",
      format: "template",
      template: "{{ event.tag }}",
    });
    // 20 x 200 bytes of actor: 4,000 bytes, over HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES (2048).
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/big", tag: "1", actor: "a".repeat(200) }));
    const [failed] = await hookyard.settledDeliveries(big.id, 1);
    expect(failed!.status).toBe("failed");
    const detail = (await hookyard.request("GET", `/api/v1/deliveries/${failed!.id}`)).json;
    // Every attempt of the schedule (100ms,200ms,300ms: four) was made and failed for the same reason.
    expect(detail.attempts).toHaveLength(4);
    for (const attempt of detail.attempts) {
      expect(attempt.statusCode).toBeNull();
      expect(attempt.error).toBe(
        "template: output: the rendered body is 4000 bytes, over the limit of 2048 (HOOKYARD_TEMPLATE_MAX_OUTPUT_BYTES)",
      );
    }
    expect(at("/big")).toHaveLength(0);
    expect((await arrived("/fine"))[0]!.body).toBe("1");

    // The worker is alive and delivering: the next push reaches the other webhook too.
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/big", tag: "2", actor: "b" }));
    expect((await arrived("/fine", 2))[1]!.body).toBe("2");
    expect((await hookyard.settledDeliveries(fine.id, 2)).every((d) => d.status === "succeeded")).toBe(true);
  });

  it("fails an attempt whose render runs past HOOKYARD_TEMPLATE_RENDER_TIMEOUT", async () => {
    // No loop at all for the samples checked at creation (short actors); 27 million turns for a long one.
    const hook = await hookyard.createWebhook({
      name: "slow",
      url: `${receiver.url}/slow`,
      events: ["TAG_PUSH"],
      repository: "acme/slow",
      format: "template",
      template:
        "{% assign n = event.actor | size %}{% if n > 100 %}{% for a in (1..n) %}{% for b in (1..n) %}{% for c in (1..n) %}" +
        "{% endfor %}{% endfor %}{% endfor %}{% endif %}done",
    });
    await hookyard.ingestDistribution(manifestPush({ repository: "acme/slow", tag: "1", actor: "x".repeat(300) }));
    const [delivery] = await hookyard.settledDeliveries(hook.id, 1);
    const detail = (await hookyard.request("GET", `/api/v1/deliveries/${delivery!.id}`)).json;
    expect(delivery!.status).toBe("failed");
    expect(detail.attempts[0].error).toMatch(
      /^template: timeout: line 1, column \d+: rendering took longer than 100 ms \(HOOKYARD_TEMPLATE_RENDER_TIMEOUT\)$/,
    );
    expect(at("/slow")).toHaveLength(0);
  });
});
