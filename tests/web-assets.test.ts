import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEB_DIST_INDEX, webUiBuilt } from "./support/browser.js";
import { TestHookyard } from "./support/hookyard.js";

/*
 * The web UI's files as the real API serves the real build (apps/web/dist, `pnpm build`): each hashed
 * asset compressed at build time, sent as brotli, gzip or as it is by what the client accepts,
 * cached for good; index.html never cached; nothing outside the build's assets.
 */

const ASSETS = join(WEB_DIST_INDEX, "..", "assets");

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET with exactly these headers and this path, as sent (fetch would add Accept-Encoding,
 * decompress, and normalize "..") . */
function get(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

let hookyard: TestHookyard;
let script: string;
let style: string;

describe("the web UI's assets, compressed and cached", () => {
  beforeAll(async () => {
    expect(webUiBuilt(), `${WEB_DIST_INDEX}: build the UI first (pnpm build)`).toBe(true);
    const names = readdirSync(ASSETS);
    // The script index.html loads, and the largest stylesheet: both have their compressed copies.
    script = /src="\/ui\/assets\/([^"]+\.js)"/.exec(readFileSync(WEB_DIST_INDEX, "utf8"))?.[1] ?? "";
    style = names.filter((n) => n.endsWith(".css") && names.includes(`${n}.br`))[0] ?? "";
    expect(names).toContain(`${script}.br`);
    expect(names).toContain(`${script}.gz`);
    expect(style).not.toBe("");
    hookyard = await TestHookyard.start({ worker: false });
  }, 60_000);

  afterAll(async () => {
    await hookyard?.close();
  });

  it("sends brotli to a client that takes it, gzip to one that takes only gzip, and the file to one that takes neither", async () => {
    for (const [name, type] of [
      [script, "text/javascript; charset=utf-8"],
      [style, "text/css; charset=utf-8"],
    ] as const) {
      const original = readFileSync(join(ASSETS, name));
      const path = `/ui/assets/${name}`;

      const br = await get(hookyard.baseUrl, path, { "accept-encoding": "gzip, deflate, br" });
      expect(br.status).toBe(200);
      expect(br.headers["content-encoding"]).toBe("br");
      expect(br.headers["content-type"]).toBe(type);
      expect(br.body.length).toBeLessThan(original.length / 2);
      expect(brotliDecompressSync(br.body).equals(original)).toBe(true);

      const gzip = await get(hookyard.baseUrl, path, { "accept-encoding": "gzip" });
      expect(gzip.headers["content-encoding"]).toBe("gzip");
      expect(gzip.headers["content-type"]).toBe(type);
      expect(gunzipSync(gzip.body).equals(original)).toBe(true);

      // br refused by q=0: gzip, though br is the better one.
      const refused = await get(hookyard.baseUrl, path, { "accept-encoding": "br;q=0, gzip;q=0.5" });
      expect(refused.headers["content-encoding"]).toBe("gzip");

      const neither: Array<Record<string, string>> = [
        {},
        { "accept-encoding": "identity" },
        { "accept-encoding": "deflate" },
      ];
      for (const headers of neither) {
        const plain = await get(hookyard.baseUrl, path, headers);
        expect(plain.status).toBe(200);
        expect(plain.headers["content-encoding"]).toBeUndefined();
        expect(plain.headers["content-type"]).toBe(type);
        expect(plain.body.equals(original)).toBe(true);
      }

      for (const res of [br, gzip]) {
        expect(res.headers.vary).toMatch(/Accept-Encoding/i);
        expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
        expect(Number(res.headers["content-length"])).toBe(res.body.length);
      }
    }
  });

  it("answers a conditional request of a cached copy with 304, per coding", async () => {
    const path = `/ui/assets/${script}`;
    const first = await get(hookyard.baseUrl, path, { "accept-encoding": "br" });
    const etag = String(first.headers.etag);
    const again = await get(hookyard.baseUrl, path, { "accept-encoding": "br", "if-none-match": etag });
    expect(again.status).toBe(304);
    const plain = await get(hookyard.baseUrl, path, { "if-none-match": etag });
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
  });

  it("never caches index.html, by any of its addresses", async () => {
    for (const path of ["/ui/", "/ui/overview", "/ui/index.html"]) {
      const res = await get(hookyard.baseUrl, path, { "accept-encoding": "br, gzip" });
      expect(res.status, path).toBe(200);
      expect(res.headers["cache-control"], path).toBe("no-cache");
      expect(res.headers["content-type"], path).toMatch(/^text\/html/);
      expect(res.body.toString("utf8"), path).toContain(`/ui/assets/${script}`);
      expect(res.headers["content-security-policy"], path).toContain("default-src 'self'");
    }
  });

  it("answers 404 for an asset not in the build, a compressed copy asked for by name, and any path out of the assets", async () => {
    const refused = [
      "/ui/assets/index-Nope1234.js",
      `/ui/assets/${script}.br`,
      `/ui/assets/${script}.gz`,
      "/ui/assets/../index.html",
      "/ui/assets/..%2findex.html",
      "/ui/assets/..%2f..%2f..%2fapi%2fpackage.json",
      "/ui/assets/%2e%2e/%2e%2e/package.json",
      "/ui/assets/.hidden",
      "/ui/assets/%00.js",
      "/ui/assets/%E0%A4%A.js",
      "/ui/assets/",
    ];
    for (const path of refused) {
      const res = await get(hookyard.baseUrl, path, { "accept-encoding": "br, gzip" });
      expect(res.status, path).toBe(404);
      expect(res.headers["content-encoding"], path).toBeUndefined();
      expect(JSON.parse(res.body.toString("utf8")).error.code, path).toBe("not_found");
    }
  });
});
