import { Paper, Text, Title } from "@mantine/core";
import { type ReactNode, useId } from "react";

/**
 * A chart with its text alternative: the drawing is hidden from assistive technology (its SVG says
 * nothing useful to a screen reader) and `alternative`, a table or list, says the same in words.
 */
export function ChartFigure({
  title,
  summary,
  chart,
  alternative,
}: {
  title: string;
  summary: ReactNode;
  chart: ReactNode;
  alternative: ReactNode;
}) {
  const titleId = useId();
  return (
    <Paper component="section" withBorder p="md" radius="md" aria-labelledby={titleId} miw={0}>
      <Title order={2} size="h4" id={titleId}>
        {title}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {summary}
      </Text>
      {chart && <div aria-hidden="true">{chart}</div>}
      {alternative}
    </Paper>
  );
}
