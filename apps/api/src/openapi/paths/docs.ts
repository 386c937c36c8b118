import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { DOCS_ASSETS, DOCS_PATH, OPENAPI_PATH } from "../docs-page.js";
import { errors } from "../responses.js";

const tags = ["Documentation"];
const html = { "text/html": { schema: z.string() } };

/** This document and the page that renders it (routes/api-docs.ts); no token needed. */
export const docsPaths: ZodOpenApiPathsObject = {
  [OPENAPI_PATH]: {
    get: {
      operationId: "getOpenApiDocument",
      tags,
      summary: "This OpenAPI 3.1 document",
      security: [],
      responses: {
        200: { description: "The document", content: { "application/json": { schema: z.looseObject({}) } } },
      },
    },
  },
  [DOCS_PATH]: {
    get: {
      operationId: "getApiReference",
      tags,
      summary: "The API reference, rendered (Swagger UI, served by Hookyard itself)",
      security: [],
      responses: { 200: { description: "The page", content: html } },
    },
  },
  [`${DOCS_PATH}/{asset}`]: {
    get: {
      operationId: "getApiReferenceAsset",
      tags,
      summary: "A script, stylesheet or icon of the reference page",
      security: [],
      requestParams: { path: z.object({ asset: z.enum(Object.keys(DOCS_ASSETS)) }) },
      responses: { 200: { description: "The file" }, ...errors(404) },
    },
  },
};
