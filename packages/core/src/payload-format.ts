/**
 * The bodies a webhook's deliveries can carry, named once for the API, the worker, the stores and
 * the web app (its own entry point, `@hookyard/core/payload-format`, keeps the rest of core out of
 * the browser bundle). The database's enum payload_format (Prisma's `PayloadFormat`,
 * prisma/schema.prisma) holds the same values: packages/db/src/payload-format.test.ts compares them.
 * `template` renders the webhook's own Liquid template; slack, teams, discord and googlechat render
 * Hookyard's templates for those chats (packages/core/src/payloads/chat-templates.ts).
 */
export const PAYLOAD_FORMATS = [
  "dtr",
  "dockerhub",
  "cloudevents",
  "template",
  "slack",
  "teams",
  "discord",
  "googlechat",
] as const;

export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

/** The formats rendered from Hookyard's own template for a chat service. */
export const CHAT_FORMATS = ["slack", "teams", "discord", "googlechat"] as const satisfies readonly PayloadFormat[];
