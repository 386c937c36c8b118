import { Paper, SimpleGrid, Text } from "@mantine/core";
import type { Overview } from "../../api/overview";

const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

/** The headline figures of the window, as a definition list of big numbers. */
export function OverviewFigures({ overview }: { overview: Overview }) {
  const figures = [
    {
      term: "Failure rate",
      value: overview.failureRate === null ? "—" : percent.format(overview.failureRate),
      note: "of deliveries finished",
    },
    { term: "Succeeded", value: String(overview.totals.succeeded), note: `in the last ${overview.window}` },
    { term: "Failed", value: String(overview.totals.failed), note: `in the last ${overview.window}` },
    {
      term: "Pending now",
      value: `${overview.pending.total.toLocaleString()}${overview.pending.more ? "+" : ""}`,
      note: `${overview.pending.retrying} retrying`,
    },
  ];
  return (
    <SimpleGrid component="dl" cols={{ base: 2, md: 4 }} spacing="sm" m={0}>
      {figures.map((f) => (
        <Paper key={f.term} withBorder p="md" radius="md">
          <Text component="dt" size="xs" c="dimmed" fw={600} tt="uppercase">
            {f.term}
          </Text>
          <Text component="dd" m={0} fz={28} fw={700} lh={1.2}>
            {f.value}
            <Text component="span" display="block" size="xs" c="dimmed" fw={400}>
              {f.note}
            </Text>
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
