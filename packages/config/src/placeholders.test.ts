import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, loadConfig } from "./load-config.js";

// The example values the repository ships, read where they are written, so that a placeholder
// changed there is still refused here (and an example meant to work still works).
const repo = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
const secretPlaceholders = Object.entries(
  parse(repo("deploy/kubernetes/base/secret.yaml")).stringData as Record<string, string>,
);

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(env)} was taken`);
}

describe("the placeholders of deploy/kubernetes/base/secret.yaml", () => {
  it("has some to check", () => {
    expect(secretPlaceholders.map(([name]) => name).sort()).toEqual([
      "DATABASE_URL",
      "HOOKYARD_ADMIN_TOKEN",
      "HOOKYARD_ENCRYPTION_KEYS",
      "HOOKYARD_INGEST_TOKENS",
    ]);
  });

  it.each(secretPlaceholders)("refuses %s's, naming the setting and how to set it", (name, value) => {
    const error = refusal({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toMatch(new RegExp(`^${name}: .*placeholder.*secret\\.yaml`));
    if (name === "DATABASE_URL") expect(error.message).toContain("password");
    else if (name === "HOOKYARD_ENCRYPTION_KEYS")
      expect(error.message).toContain(`${name}="key1:$(openssl rand -base64 32)"`);
    else expect(error.message).toContain(`${name}="$(openssl rand -hex 24)"`);
    expect(error.message).not.toContain(value);
  });

  it("refuses a placeholder among other ingest tokens, and names every placeholder of the whole Secret at once", () => {
    expect(
      refusal({ HOOKYARD_INGEST_TOKENS: "a-real-ingest-token-0123456789,CHANGE-ME-placeholder-ingest-token" }).variable,
    ).toBe("HOOKYARD_INGEST_TOKENS");
    const all = refusal(Object.fromEntries(secretPlaceholders));
    for (const [name] of secretPlaceholders) expect(all.message).toContain(`${name}: `);
  });

  it("takes the README's example tokens and the local compose file's ingest token", () => {
    const readme = repo("README.md");
    const admin = /HOOKYARD_ADMIN_TOKEN=(\S+)/.exec(readme)?.[1];
    const ingest = /HOOKYARD_INGEST_TOKENS=(\S+)/.exec(readme)?.[1];
    const compose = /HOOKYARD_INGEST_TOKENS:-([^}]+)\}/.exec(repo("docker/compose.yaml"))?.[1];
    expect([admin, ingest, compose]).not.toContain(undefined);
    const config = loadConfig({
      HOOKYARD_ADMIN_TOKEN: admin,
      HOOKYARD_INGEST_TOKENS: `${ingest},${compose}`,
      HOOKYARD_ENCRYPTION_KEYS: `key1:${Buffer.alloc(32, 7).toString("base64")}`,
    });
    expect(config.adminToken).toBe(admin);
    expect(config.ingestTokens).toEqual([ingest, compose]);
  });
});
