import { ActionIcon, Button, Group, Input, Stack, Text, TextInput } from "@mantine/core";
import type { HeaderRow } from "../lib/webhook-rules";

/**
 * A webhook's own headers as name/value rows. A value the API did not show back (a credential's) is
 * an empty field saying it is kept; it must be typed again only when the headers are changed, since
 * saving them replaces them all.
 */
export function HeaderFields({
  rows,
  onChange,
  errors,
  onEdited,
}: {
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  errors: Record<string, string | undefined>;
  /** Called with the error key of the control that changed, so that its error clears. */
  onEdited: (key: string) => void;
}) {
  const set = (index: number, change: Partial<HeaderRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <Input.Wrapper
      label="Custom headers"
      description="Optional. Sent with every delivery, e.g. Authorization for the receiver. Values are never shown in logs; credential-like ones are not shown back."
      error={errors.headers}
      data-field="headers"
      {...(errors.headers ? { "data-field-error": "" } : {})}
    >
      <Stack gap="xs" mt="xs">
        {rows.map((row, i) => {
          const n = i + 1;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own; the index is their label
            <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
              <TextInput
                aria-label={`Name of header ${n}`}
                placeholder="X-Team"
                value={row.name}
                onChange={(e) => {
                  set(i, { name: e.currentTarget.value });
                  onEdited(`header-${i}-name`);
                }}
                error={errors[`header-${i}-name`]}
                style={{ flex: 1, minWidth: 0 }}
                autoComplete="off"
              />
              <TextInput
                aria-label={`Value of header ${n}`}
                placeholder={row.hidden ? "Hidden: kept unless headers change" : "value"}
                value={row.value}
                onChange={(e) => {
                  set(i, { value: e.currentTarget.value });
                  onEdited(`header-${i}-value`);
                }}
                error={errors[`header-${i}-value`]}
                style={{ flex: 1, minWidth: 0 }}
                autoComplete="off"
              />
              <ActionIcon
                variant="default"
                size="lg"
                aria-label={`Remove header ${n}${row.name ? ` (${row.name})` : ""}`}
                onClick={() => {
                  onChange(rows.filter((_, j) => j !== i));
                  onEdited("headers");
                }}
              >
                <span aria-hidden="true">×</span>
              </ActionIcon>
            </Group>
          );
        })}
        {rows.length === 0 && (
          <Text size="sm" c="dimmed">
            No custom headers.
          </Text>
        )}
        <Group>
          <Button
            variant="default"
            size="xs"
            onClick={() => {
              onChange([...rows, { name: "", value: "", hidden: false }]);
              onEdited("headers");
            }}
          >
            Add header
          </Button>
        </Group>
      </Stack>
    </Input.Wrapper>
  );
}
