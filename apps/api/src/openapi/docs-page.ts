import { createRequire } from "node:module";
import { dirname } from "node:path";

/** Where the page and its assets are served; the document itself is at OPENAPI_PATH. */
export const DOCS_PATH = "/api/docs";
export const OPENAPI_PATH = "/api/openapi.json";

/** Served relative to this root: pnpm's store path holds ".pnpm", which send refuses as a dotfile. */
export const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

// Swagger UI would otherwise send the document to validator.swagger.io for a badge; the page must
// work offline and tell no one what the API looks like.
const INIT_SCRIPT = `window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(OPENAPI_PATH)},
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
  });
});
`;

/** A file of swagger-ui-dist (`file`, under SWAGGER_UI_DIR) or text of our own. */
export type DocsAsset = { type: string } & ({ file: string } | { text: string });

/**
 * The only files the page loads, all from swagger-ui-dist (an npm dependency) or written here: no
 * CDN, and nothing else of the package (its sample index.html points at a public demo API).
 */
export const DOCS_ASSETS: Record<string, DocsAsset> = {
  "swagger-ui.css": { type: "text/css; charset=utf-8", file: "swagger-ui.css" },
  "swagger-ui-bundle.js": {
    type: "text/javascript; charset=utf-8",
    file: "swagger-ui-bundle.js",
  },
  "favicon-32x32.png": { type: "image/png", file: "favicon-32x32.png" },
  "init.js": { type: "text/javascript; charset=utf-8", text: INIT_SCRIPT },
};

export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hookyard API reference</title>
<link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="${DOCS_PATH}/init.js"></script>
</body>
</html>
`;

/** The browser may load nothing from anywhere but Hookyard, whatever a future Swagger UI tries. */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");
