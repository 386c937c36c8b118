import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./create-logger.js";

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new PassThrough();
  destination.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ service: "unit", level, destination }), lines };
}

const flushed = () => new Promise((r) => setImmediate(r));

describe("createLogger", () => {
  it("writes one JSON line per message with the service, level, message and timestamp", async () => {
    const { logger, lines } = capture("info");
    logger.info("request", { requestId: "r-1", status: 202 });
    await flushed();
    expect(lines).toEqual([
      expect.objectContaining({ service: "unit", level: "info", message: "request", requestId: "r-1", status: 202 }),
    ]);
    expect(Date.parse(lines[0]?.timestamp as string)).not.toBeNaN();
  });

  it("drops lines below its level", async () => {
    const { logger, lines } = capture("warn");
    logger.info("quiet");
    logger.debug("quieter");
    logger.warn("loud");
    await flushed();
    expect(lines.map((l) => l.message)).toEqual(["loud"]);
  });

  it("never writes a secret-looking field, however deep", async () => {
    const { logger, lines } = capture("info");
    logger.info("delivery", {
      token: "tok-123",
      target: { url: "https://example.test/hook", headers: { Authorization: "Bearer abc", "x-team": "a" } },
      callbackUrl: "https://hub.example/cb/secret",
      attempts: [{ signature: "v1,xyz" }],
    });
    await flushed();
    const text = JSON.stringify(lines);
    for (const secret of ["tok-123", "Bearer abc", "cb/secret", "v1,xyz"]) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      token: "[redacted]",
      target: { url: "https://example.test/hook", headers: { Authorization: "[redacted]", "x-team": "a" } },
    });
  });

  it("writes an error's message and stack", async () => {
    const { logger, lines } = capture("info");
    logger.error("job failed", { error: new Error("boom") });
    await flushed();
    expect(lines[0]?.error).toMatchObject({ name: "Error", message: "boom", stack: expect.stringContaining("boom") });
  });
});
