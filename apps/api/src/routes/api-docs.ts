import { Router } from "express";
import type { ApiDeps } from "../deps.js";
import { notFound } from "../http/api-error.js";
import {
  DOCS_ASSETS,
  DOCS_CONTENT_SECURITY_POLICY,
  DOCS_PAGE,
  DOCS_PATH,
  OPENAPI_PATH,
  SWAGGER_UI_DIR,
} from "../openapi/docs-page.js";
import { buildOpenApiDocument } from "../openapi/document.js";

/** The OpenAPI document and its rendered reference, open to anyone: they describe, they grant nothing. */
export function apiDocsRoutes(_deps: ApiDeps): Router {
  const documentText = JSON.stringify(buildOpenApiDocument());
  const router = Router();

  router.get(OPENAPI_PATH, (_req, res) => {
    res.type("application/json").send(documentText);
  });

  router.get(DOCS_PATH, (_req, res) => {
    res.setHeader("Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY);
    res.type("html").send(DOCS_PAGE);
  });

  router.get(`${DOCS_PATH}/:asset`, (req, res) => {
    const asset = Object.hasOwn(DOCS_ASSETS, req.params.asset) ? DOCS_ASSETS[req.params.asset] : undefined;
    if (!asset) throw notFound("asset");
    res.setHeader("Cache-Control", "public, max-age=3600");
    // Set first, so that sendFile keeps it rather than guess one from the extension.
    res.type(asset.type);
    if ("text" in asset) res.send(asset.text);
    else res.sendFile(asset.file, { root: SWAGGER_UI_DIR });
  });
  return router;
}
