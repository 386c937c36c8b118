import { PAYLOAD_FORMATS, type PayloadFormat } from "@hookyard/core/payload-format";
import { Code, NativeSelect, Stack, Textarea, TextInput } from "@mantine/core";
import type { PreviewRequest } from "../api/types";
import type { Scope } from "../api/webhooks";
import { WEBHOOK_LIMITS } from "../lib/webhook-rules";
import { PayloadPreview } from "./PayloadPreview";

/** Every format must have its label: a format added to core fails this file's type check until it does. */
const FORMAT_LABELS: Record<PayloadFormat, string> = {
  dtr: "DTR (dtr)",
  dockerhub: "Docker Hub (dockerhub), TAG_PUSH only, with a callback_url",
  cloudevents: "CloudEvents 1.0 (cloudevents)",
  template: "Your Liquid template (template)",
  slack: "Slack incoming webhook (slack)",
  teams: "Microsoft Teams Workflows card (teams)",
  discord: "Discord webhook (discord)",
  googlechat: "Google Chat incoming webhook (googlechat)",
};
const FORMATS = PAYLOAD_FORMATS.map((value) => ({ value, label: FORMAT_LABELS[value] }));

/** What a chat format posts, in one line: the URL to give is the one the service hands out. */
const CHAT_FORMATS: Partial<Record<PayloadFormat, string>> = {
  slack: "Posts a Slack message (text and blocks) to the incoming webhook URL Slack gives you.",
  teams: "Posts an Adaptive Card to the Teams Workflows webhook URL Teams gives you.",
  discord: "Posts a Discord message with an embed (no one is pinged) to the channel's webhook URL.",
  googlechat: "Posts a text message to the Google Chat space's incoming webhook URL.",
};

export const DEFAULT_CONTENT_TYPE = "application/json";

export function formatLabel(format: PayloadFormat): string {
  return FORMAT_LABELS[format] ?? format;
}

/**
 * The payload part of the webhook form: what body each delivery carries, the fields a format brings
 * with it (a template and its content type) and a live preview of what would be sent.
 */
export function PayloadFields({
  format,
  onFormat,
  template,
  onTemplate,
  contentType,
  onContentType,
  eventType,
  scope,
  errors,
}: {
  format: PayloadFormat;
  onFormat: (format: PayloadFormat) => void;
  template: string;
  onTemplate: (template: string) => void;
  contentType: string;
  onContentType: (contentType: string) => void;
  /** The sample's type: the first the webhook takes (none: the API's default). */
  eventType: PreviewRequest["eventType"];
  scope: Scope;
  errors: Record<string, string | undefined>;
}) {
  const chat = CHAT_FORMATS[format];
  return (
    <Stack gap="sm">
      <NativeSelect
        label="Format"
        description={chat ?? "The body each delivery carries. Chains need Docker Hub's."}
        data={FORMATS}
        value={format}
        onChange={(e) => onFormat(e.currentTarget.value as PayloadFormat)}
        error={errors.format}
      />
      {format === "template" && (
        <>
          <Textarea
            label="Template"
            description={
              <>
                Liquid, at most {WEBHOOK_LIMITS.templateBytes / 1024} KiB. Variables: <Code>event.type</Code>,{" "}
                <Code>event.repository</Code>, <Code>event.tag</Code>, <Code>event.digest</Code>,{" "}
                <Code>event.actor</Code>, <Code>event.time</Code>, <Code>event.contents</Code>,{" "}
                <Code>webhook.name</Code>. In JSON, insert values with <Code>| json</Code>. Shown back like any setting:
                keep credentials in headers.
              </>
            }
            placeholder='{"text": {{ event.tag | json }}}'
            value={template}
            onChange={(e) => onTemplate(e.currentTarget.value)}
            error={errors.template}
            required
            autosize
            minRows={4}
            maxRows={14}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
          />
          <TextInput
            label="Content type"
            description="The deliveries' Content-Type, such as text/plain; charset=utf-8."
            placeholder={DEFAULT_CONTENT_TYPE}
            value={contentType}
            onChange={(e) => onContentType(e.currentTarget.value)}
            error={errors.templateContentType}
            spellCheck={false}
          />
        </>
      )}
      <PayloadPreview
        format={format}
        template={template}
        contentType={contentType}
        eventType={eventType}
        scope={scope}
      />
    </Stack>
  );
}
