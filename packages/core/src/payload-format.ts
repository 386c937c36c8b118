/**
 * The bodies a webhook's deliveries can carry, named once for the API, the worker, the stores and
 * the web app (its own entry point, `@hookyard/core/payload-format`, keeps the rest of core out of
 * the browser bundle). The database's enum payload_format (Prisma's `PayloadFormat`,
 * prisma/schema.prisma) holds the same values: packages/db/src/payload-format.test.ts compares them.
 */
export const PAYLOAD_FORMATS = ["dtr", "dockerhub", "cloudevents"] as const;

export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];
