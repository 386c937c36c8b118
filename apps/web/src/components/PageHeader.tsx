import { Group, Stack, Text, Title } from "@mantine/core";
import { type ReactNode, useEffect } from "react";

/** A page's one h1, also its document title, which is what a screen reader announces on navigation. */
export function PageHeader({
  title,
  description,
  actions,
  above,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  above?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Hookyard`;
  }, [title]);
  return (
    <Stack gap={4} mb="md">
      {above}
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Title order={1} size="h2" style={{ overflowWrap: "anywhere" }}>
          {title}
        </Title>
        {actions}
      </Group>
      {description && <Text c="dimmed">{description}</Text>}
    </Stack>
  );
}
