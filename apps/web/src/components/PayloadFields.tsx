import { PAYLOAD_FORMATS, type PayloadFormat } from "@hookyard/core/payload-format";
import { NativeSelect } from "@mantine/core";

/** Every format must have its label: a format added to core fails this file's type check until it does. */
const FORMAT_LABELS: Record<PayloadFormat, string> = {
  dtr: "DTR (dtr)",
  dockerhub: "Docker Hub (dockerhub), TAG_PUSH only, with a callback_url",
  cloudevents: "CloudEvents 1.0 (cloudevents)",
  template: "Your Liquid template (template), set through the API",
  slack: "Slack incoming webhook (slack)",
  teams: "Microsoft Teams Workflows card (teams)",
  discord: "Discord webhook (discord)",
  googlechat: "Google Chat incoming webhook (googlechat)",
};
const FORMATS = PAYLOAD_FORMATS.map((value) => ({ value, label: FORMAT_LABELS[value] }));

export function formatLabel(format: PayloadFormat): string {
  return FORMAT_LABELS[format] ?? format;
}

/**
 * The payload part of the webhook form: what body each delivery carries. Its own component so that
 * the fields a format brings with it (a template, its content type) can join it here.
 */
export function PayloadFields({
  format,
  onFormat,
  errors,
}: {
  format: PayloadFormat;
  onFormat: (format: PayloadFormat) => void;
  errors: Record<string, string | undefined>;
}) {
  return (
    <NativeSelect
      label="Format"
      description="The body each delivery carries. Chains need Docker Hub's."
      data={FORMATS}
      value={format}
      onChange={(e) => onFormat(e.currentTarget.value as PayloadFormat)}
      error={errors.format}
    />
  );
}
