// Writes a brotli (.br) and a gzip (.gz) copy beside each hashed JS, CSS and SVG file of dist/assets/,
// after `vite build`: the API serves the best one a browser accepts (apps/api/src/http/
// precompressed-assets.ts), so nothing is compressed per request. Decision 0022 has the sizes.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const ASSETS = new URL("../dist/assets/", import.meta.url).pathname;
const COMPRESSIBLE = [".js", ".css", ".svg", ".json", ".map", ".txt"];
/** Smaller files gain less than the bytes of a header: served as they are. */
const MIN_BYTES = 1024;

const totals = { raw: 0, gzip: 0, br: 0 };
for (const name of readdirSync(ASSETS)) {
  if (!COMPRESSIBLE.some((ext) => name.endsWith(ext))) continue;
  const raw = readFileSync(join(ASSETS, name));
  if (raw.length < MIN_BYTES) continue;
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gzip = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION });
  // A copy no smaller than the file would only cost the browser a decompression.
  if (br.length < raw.length) writeFileSync(join(ASSETS, `${name}.br`), br);
  if (gzip.length < raw.length) writeFileSync(join(ASSETS, `${name}.gz`), gzip);
  totals.raw += raw.length;
  totals.gzip += Math.min(gzip.length, raw.length);
  totals.br += Math.min(br.length, raw.length);
}
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`precompressed dist/assets: ${kb(totals.raw)} raw, ${kb(totals.gzip)} gzip, ${kb(totals.br)} brotli`);
