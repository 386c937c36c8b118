import { z } from "zod";

/*
 * The bodies each chat service documents for its incoming webhooks, as far as Hookyard's chat
 * formats use them, with the services' documented limits. Written from the services' public
 * documentation (named on each); chat-formats.test.ts checks every golden body against them, and
 * the OpenAPI document describes the chat deliveries with them.
 */

/**
 * Slack, "Sending messages using incoming webhooks" (api.slack.com/messaging/webhooks) and the
 * Block Kit reference (section: text up to 3,000 characters, at most 10 fields; context: 1 to 10
 * elements; a message: at most 50 blocks; `text` is the notification's fallback).
 */
const slackText = z.strictObject({
  type: z.enum(["mrkdwn", "plain_text"]),
  text: z.string().min(1).max(3000),
});
export const slackMessageShape = z.strictObject({
  text: z.string().min(1).max(40_000),
  blocks: z
    .array(
      z.discriminatedUnion("type", [
        z.strictObject({ type: z.literal("section"), text: slackText, fields: z.array(slackText).max(10).optional() }),
        z.strictObject({ type: z.literal("context"), elements: z.array(slackText).min(1).max(10) }),
      ]),
    )
    .max(50),
});

/**
 * Microsoft Teams, "Create incoming webhooks with Workflows for Microsoft Teams" (the request body a
 * Workflows webhook takes: a message with Adaptive Card attachments) and the Adaptive Cards schema
 * (adaptivecards.io: TextBlock, FactSet).
 */
const adaptiveElement = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("TextBlock"),
    text: z.string().min(1),
    size: z.enum(["Small", "Default", "Medium", "Large", "ExtraLarge"]).optional(),
    weight: z.enum(["Lighter", "Default", "Bolder"]).optional(),
    wrap: z.boolean().optional(),
    isSubtle: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal("FactSet"),
    facts: z.array(z.strictObject({ title: z.string().min(1), value: z.string().min(1) })).min(1),
  }),
]);
export const teamsMessageShape = z.strictObject({
  type: z.literal("message"),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal("application/vnd.microsoft.card.adaptive"),
        contentUrl: z.null().optional(),
        content: z.strictObject({
          $schema: z.literal("http://adaptivecards.io/schemas/adaptive-card.json"),
          type: z.literal("AdaptiveCard"),
          version: z.enum(["1.4", "1.5"]),
          body: z.array(adaptiveElement).min(1),
        }),
      }),
    )
    .min(1),
});

/**
 * Discord, "Execute Webhook" (discord.com/developers/docs/resources/webhook#execute-webhook) and the
 * embed limits ("Embed Limits": title 256, description 4,096, 25 fields, field name 256 and value
 * 1,024, footer text 2,048, 6,000 characters in all); content up to 2,000 characters.
 */
export const discordMessageShape = z
  .strictObject({
    content: z.string().max(2000),
    allowed_mentions: z.strictObject({ parse: z.array(z.enum(["roles", "users", "everyone"])) }),
    embeds: z
      .array(
        z.strictObject({
          title: z.string().min(1).max(256),
          description: z.string().min(1).max(4096),
          timestamp: z.iso.datetime(),
          color: z.int().min(0).max(0xffffff),
          footer: z.strictObject({ text: z.string().min(1).max(2048) }),
          fields: z
            .array(
              z.strictObject({
                name: z.string().min(1).max(256),
                value: z.string().min(1).max(1024),
                inline: z.boolean(),
              }),
            )
            .max(25),
        }),
      )
      .max(10),
  })
  .refine(
    (message) =>
      message.embeds.every(
        (embed) =>
          embed.title.length +
            embed.description.length +
            embed.footer.text.length +
            embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0) <=
          6000,
      ),
    "an embed holds at most 6,000 characters in all",
  );

/**
 * Google Chat, "Send messages to Google Chat with incoming webhooks"
 * (developers.google.com/workspace/chat/quickstart/webhooks): a text message, `{ "text": ... }`.
 * Hookyard keeps it within 4,096 characters.
 */
export const googleChatMessageShape = z.strictObject({ text: z.string().min(1).max(4096) });

export const CHAT_SHAPES = {
  slack: slackMessageShape,
  teams: teamsMessageShape,
  discord: discordMessageShape,
  googlechat: googleChatMessageShape,
} as const;
