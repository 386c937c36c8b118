import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import express, { type RequestHandler, Router } from "express";
import { notFound, unavailable } from "../http/api-error.js";
import { precompressedAssets } from "../http/precompressed-assets.js";

/** apps/web's build, beside this package in the repository and in the images (docker/Dockerfile copies both). */
const WEB_DIST = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

/** The page talks to this origin only; Mantine sets styles inline, hence style-src 'unsafe-inline'. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
  });
  next();
};

/**
 * The web UI at /ui/: hashed assets cached for a year (a new build has new names), brotli or gzip
 * as the browser takes them (compressed at build time, decision 0022), and index.html, never
 * cached, for every other /ui/ path, where the app's router takes over.
 */
export function webUiRoutes(distDir: string = WEB_DIST): Router {
  const router = Router();
  // Relative asset URLs need the slash; Express matches "/ui" for "/ui/" too, hence the look at the URL.
  router.get("/ui", (req, res, next) => {
    if (req.originalUrl.split("?")[0] === "/ui") res.redirect(301, "/ui/");
    else next();
  });
  router.use("/ui", securityHeaders, (_req, _res, next) => {
    if (!existsSync(`${distDir}/index.html`)) throw unavailable("the web UI is not built: run pnpm build", 60);
    next();
  });
  router.use(
    "/ui/assets",
    precompressedAssets(`${distDir}/assets`),
    // An asset of another build is not the app's page: a plain 404, not index.html.
    () => {
      throw notFound("asset");
    },
  );
  router.use(
    "/ui",
    express.static(distDir, {
      index: false,
      maxAge: 0,
      // index.html by its own name too: never cached, as below (it names the current build's assets).
      setHeaders: (res, path) => {
        if (path.endsWith(".html")) res.setHeader("Cache-Control", "no-cache");
      },
    }),
  );
  router.get("/ui/{*path}", (_req, res) => {
    res.set("Cache-Control", "no-cache");
    res.sendFile("index.html", { root: distDir });
  });
  return router;
}
