import type { PayloadFormat } from "@hookyard/core/payload-format";
import { Code, Paper, Stack, Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useId } from "react";
import type { PreviewRequest } from "../api/types";
import { type Scope, usePreview } from "../api/webhooks";
import { fieldMessage } from "../lib/field-errors";
import { formatRelative } from "../lib/relative-time";

/** How long the form must be still before the preview is asked for again: not one request per key. */
const DEBOUNCE_MS = 400;

/** The body as people read it: JSON indented, anything else as it is. */
function pretty(body: string, contentType: string): string {
  if (!/json/i.test(contentType)) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** An API error in plain words: a template's "template: line 1, column 4: ..." names its field. */
function problemText(error: Error): string {
  const match = /^(template|templateContentType|format): (.+)$/.exec(error.message);
  if (!match) return error.message;
  const label = match[1] === "template" ? "Template" : match[1] === "format" ? "Format" : "Content type";
  return fieldMessage(label, match[2] ?? "");
}

/**
 * What a webhook of the form's settings would send, rendered by the API as the user types (never
 * sent anywhere): for a repository webhook its latest real event, else a sample, and says which.
 */
export function PayloadPreview({
  format,
  template,
  contentType,
  eventType,
  scope,
}: {
  format: PayloadFormat;
  template: string;
  contentType: string;
  eventType: PreviewRequest["eventType"];
  scope: Scope;
}) {
  const titleId = useId();
  const request: Omit<PreviewRequest, "latestOf" | "repository" | "eventId"> | null =
    format !== "template"
      ? { format, eventType }
      : template.trim() === ""
        ? null
        : { format, eventType, template, templateContentType: contentType.trim() || "application/json" };
  // Debounced as text: an object made anew on each render would never settle.
  const [debounced] = useDebouncedValue(JSON.stringify(request), DEBOUNCE_MS);
  const preview = usePreview(JSON.parse(debounced) as typeof request, scope);
  const result = preview.data;

  let source = "";
  if (result) {
    const type = result.preview.eventType;
    if (!result.latest) source = `Sample ${type} event`;
    else {
      const tag = result.preview.tag ? ` of ${result.preview.tag}` : "";
      const when = `, ${formatRelative(result.preview.occurredAt, Date.now())}`;
      source = `Latest event: ${type}${tag}${when}`;
    }
  }
  let status: string;
  if (request === null) status = "Type a template to see what it sends.";
  else if (preview.error) status = `Cannot render: ${problemText(preview.error)}`;
  else if (!result) status = "Rendering…";
  else status = `${source}. Nothing is sent.`;

  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={titleId} data-testid="payload-preview">
      <Stack gap={6}>
        <Text id={titleId} fw={600} size="sm">
          Preview
        </Text>
        <Text size="sm" aria-live="polite" c={preview.error ? "red.8" : undefined} data-testid="preview-status">
          {status}
        </Text>
        {result && !preview.error && request !== null && (
          <>
            <Text size="sm">
              Content-Type: <Code data-testid="preview-content-type">{result.preview.contentType}</Code>
            </Text>
            <Code
              block
              tabIndex={0}
              role="region"
              aria-label="Body that would be sent"
              data-testid="preview-body"
              style={{
                maxHeight: 320,
                overflow: "auto",
                whiteSpace: "pre-wrap",
                overflowWrap: "anywhere",
              }}
            >
              {pretty(result.preview.body, result.preview.contentType)}
            </Code>
          </>
        )}
      </Stack>
    </Paper>
  );
}
