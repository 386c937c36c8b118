import { describe, expect, it } from "vitest";
import { CALLBACK_TOKEN_SHAPE, callbackUrl, maskCallbackPath, newCallbackToken } from "../callbacks.js";
import type { RegistryEvent } from "../registry-event.js";
import { sampleEvent } from "../sample-event.js";
import { renderDockerHub } from "./dockerhub.js";
import { formatTypesProblem, renderPayload } from "./render.js";

/*
 * Expectations come from Docker Hub's webhook documentation (docs.docker.com "Webhooks", the seed
 * in shared/seeds/docker-hub-webhooks.txt), whose example payload is, in part:
 *   {"callback_url": "https://registry.hub.docker.com/u/svendowideit/testhook/hook/.../",
 *    "push_data": {"pushed_at": 1417566161, "pusher": "trustedbuilder", "tag": "latest"},
 *    "repository": {"comment_count": 0, "date_created": 1417494799, "description": "", ...,
 *                   "repo_name": "svendowideit/testhook", "status": "Active"}}
 */
const HUB_EXAMPLE_REPOSITORY_KEYS = [
  "comment_count",
  "date_created",
  "description",
  "dockerfile",
  "full_description",
  "is_official",
  "is_private",
  "is_trusted",
  "name",
  "namespace",
  "owner",
  "repo_name",
  "repo_url",
  "star_count",
  "status",
];
/** The JSON type of each field in Hub's example. */
const HUB_EXAMPLE_TYPES: Record<string, string> = {
  comment_count: "number",
  date_created: "number",
  description: "string",
  dockerfile: "string",
  full_description: "string",
  is_official: "boolean",
  is_private: "boolean",
  is_trusted: "boolean",
  name: "string",
  namespace: "string",
  owner: "string",
  repo_name: "string",
  repo_url: "string",
  star_count: "number",
  status: "string",
};

const CALLBACK = "http://127.0.0.1:3000/api/v1/callbacks/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const push: RegistryEvent = {
  type: "TAG_PUSH",
  dedupKey: "distribution:1:TAG_PUSH",
  source: "distribution",
  namespace: "svendowideit",
  repository: "svendowideit/testhook",
  tag: "latest",
  digest: `sha256:${"b".repeat(64)}`,
  actor: "trustedbuilder",
  occurredAt: "2014-12-03T00:22:41.999Z",
  data: {},
};

describe("the dockerhub format", () => {
  it("has every field of Docker Hub's example, of the example's types, and nothing else", () => {
    const body = JSON.parse(renderPayload("dockerhub", push, "evt_1", { callbackUrl: CALLBACK }).body);
    expect(Object.keys(body)).toEqual(["callback_url", "push_data", "repository"]);
    expect(Object.keys(body.push_data).sort()).toEqual(["pushed_at", "pusher", "tag"]);
    expect(Object.keys(body.repository).sort()).toEqual(HUB_EXAMPLE_REPOSITORY_KEYS);
    for (const [key, type] of Object.entries(HUB_EXAMPLE_TYPES)) expect(typeof body.repository[key], key).toBe(type);
  });

  it("says who pushed which tag when (epoch seconds), and names the repository as Hub does", () => {
    const rendered = renderPayload("dockerhub", push, "evt_1", { callbackUrl: CALLBACK });
    expect(rendered.contentType).toBe("application/json");
    expect(JSON.parse(rendered.body)).toMatchObject({
      callback_url: CALLBACK,
      push_data: { pushed_at: 1417566161, pusher: "trustedbuilder", tag: "latest" },
      repository: {
        name: "testhook",
        namespace: "svendowideit",
        owner: "svendowideit",
        repo_name: "svendowideit/testhook",
        status: "Active",
      },
    });
  });

  it("gives what Hookyard does not know empty values of the field's type", () => {
    expect(renderDockerHub(push, CALLBACK).repository).toMatchObject({
      comment_count: 0,
      date_created: 0,
      description: "",
      dockerfile: "",
      full_description: "",
      is_official: false,
      is_private: false,
      is_trusted: false,
      repo_url: "",
      star_count: 0,
    });
    const anonymous = renderDockerHub({ ...push, actor: null }, CALLBACK);
    expect(anonymous.push_data.pusher).toBe("");
  });

  it("keeps a nested repository path as the name inside the namespace", () => {
    const nested = renderDockerHub({ ...push, namespace: "acme", repository: "acme/team/web" }, CALLBACK);
    expect(nested.repository).toMatchObject({ namespace: "acme", name: "team/web", repo_name: "acme/team/web" });
  });

  it("renders a test's sample push", () => {
    const sample = sampleEvent("TAG_PUSH", { kind: "repository", namespace: "acme", repository: "acme/web" }, "k");
    expect(renderDockerHub(sample, CALLBACK).push_data).toMatchObject({ tag: "latest", pusher: "hookyard-test" });
  });

  it("is never sent without a callback_url", () => {
    expect(() => renderPayload("dockerhub", push, "evt_1")).toThrow(/callback_url/);
  });

  it("takes TAG_PUSH only; the other formats take every type", () => {
    expect(formatTypesProblem("dockerhub", ["TAG_PUSH"])).toBeNull();
    expect(formatTypesProblem("dockerhub", ["TAG_PUSH", "TAG_DELETE"])).toMatch(/TAG_PUSH.*TAG_DELETE/);
    expect(formatTypesProblem("dtr", ["TAG_DELETE", "SCAN_FAILED"])).toBeNull();
    expect(formatTypesProblem("cloudevents", ["REPO_CREATED"])).toBeNull();
  });
});

describe("callback tokens", () => {
  it("carry 256 random bits, URL-safe, never twice the same, stored as a hash that does not hold them", () => {
    const tokens = Array.from({ length: 200 }, () => newCallbackToken());
    expect(new Set(tokens.map((t) => t.token)).size).toBe(200);
    for (const { token, tokenHash } of tokens.slice(0, 5)) {
      expect(token).toMatch(CALLBACK_TOKEN_SHAPE);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
      expect(tokenHash).toMatch(/^[0-9a-f]{64}$/);
      expect(tokenHash).not.toContain(token);
    }
  });

  it("make URLs under the public URL", () => {
    expect(callbackUrl("https://hooks.example/", "tok")).toBe("https://hooks.example/api/v1/callbacks/tok");
  });

  it("are masked in any path a log line could show", () => {
    const { token } = newCallbackToken();
    for (const path of [
      `/api/v1/callbacks/${token}`,
      `/API/V1/CALLBACKS/${token}`,
      `/api/v1/callbacks/${token}/`,
      `/api/v1/%63allbacks/${token}`,
      `//api/v1/callbacks/${token}`,
      `/api/v1/callback/${token}`,
      `/api/v1/callbacks/${token.slice(0, 20)}`,
    ]) {
      expect(maskCallbackPath(path), path).not.toContain(token.slice(0, 20));
    }
    expect(maskCallbackPath("/api/v1/deliveries/dlv_01")).toBe("/api/v1/deliveries/dlv_01");
  });
});
