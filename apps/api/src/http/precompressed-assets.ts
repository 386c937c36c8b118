import { statSync } from "node:fs";
import { extname, join } from "node:path";
import type { RequestHandler } from "express";

/** The encodings apps/web's build writes beside each asset (apps/web/scripts/precompress.mjs), best first. */
const ENCODINGS = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;

/** A file name of the build: no separator, nothing hidden, and never one of the compressed copies itself. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * The content codings an Accept-Encoding header allows (RFC 9110 12.5.3): each listed one without
 * q=0, and `*` for any not listed. Parsed by splitting, not by a pattern: the header is the client's.
 */
export function acceptedEncodings(header: string | undefined): Set<string> {
  const allowed = new Set<string>();
  const refused = new Set<string>();
  let any = false;
  for (const part of (header ?? "").slice(0, 1024).split(",")) {
    const [coding = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith("q="));
    const zero = q !== undefined && Number(q.slice(2)) === 0;
    if (coding === "*") any = !zero;
    else (zero ? refused : allowed).add(coding);
  }
  if (any) for (const { name } of ENCODINGS) if (!refused.has(name)) allowed.add(name);
  return allowed;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The hashed files of apps/web's build, cached for good (a new build has new names), each sent as
 * its brotli or gzip copy when the client takes one (br before gzip), else as it is. Anything not
 * a file of the directory goes on (to the caller's 404).
 */
export function precompressedAssets(dir: string): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    let name: string;
    try {
      name = decodeURIComponent(req.path.slice(1));
    } catch {
      return next();
    }
    if (!ASSET_NAME.test(name) || name.endsWith(".br") || name.endsWith(".gz")) return next();
    const file = join(dir, name);
    if (!isFile(file)) return next();

    const accepted = acceptedEncodings(req.headers["accept-encoding"]);
    const encoding = ENCODINGS.find((e) => accepted.has(e.name) && isFile(file + e.suffix));
    // Caches must keep one copy per coding, whichever this answer is.
    res.vary("Accept-Encoding");
    // The type of the file, not of its compressed copy; send leaves a Content-Type already set.
    res.type(extname(name));
    if (encoding) res.set("Content-Encoding", encoding.name);
    res.sendFile(
      encoding ? name + encoding.suffix : name,
      {
        root: dir,
        cacheControl: false,
        headers: { "Cache-Control": IMMUTABLE },
      },
      // A client that went away mid-file is no fault of ours; anything before the headers is.
      (error) => {
        if (error && !res.headersSent) next(error);
      },
    );
  };
}
