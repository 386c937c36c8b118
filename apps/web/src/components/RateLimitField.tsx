import { NumberInput } from "@mantine/core";
import { WEBHOOK_LIMITS } from "../lib/webhook-rules";

/** A webhook's rate limit: empty for none, else a whole number of deliveries per second. */
export function RateLimitField({
  value,
  onChange,
  error,
}: {
  value: number | string;
  onChange: (value: number | string) => void;
  error: string | undefined;
}) {
  return (
    <NumberInput
      label="Rate limit (deliveries per second)"
      description={`Optional. Empty: no limit. 1 to ${WEBHOOK_LIMITS.rateLimitMax}; deliveries over it wait their turn.`}
      placeholder="No limit"
      value={value}
      onChange={onChange}
      error={error}
      min={1}
      max={WEBHOOK_LIMITS.rateLimitMax}
      // Out-of-range values are said at the field on save, not silently changed while typing.
      clampBehavior="none"
      allowDecimal={false}
      allowNegative={false}
      hideControls
    />
  );
}
