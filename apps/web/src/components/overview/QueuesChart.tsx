import { BarChart } from "@mantine/charts";
import { Table, VisuallyHidden } from "@mantine/core";
import type { Overview } from "../../api/overview";

const STATES = [
  { name: "waiting", label: "Waiting", color: "blue.7" },
  { name: "prioritized", label: "Prioritized", color: "indigo.7" },
  { name: "active", label: "Active", color: "teal.7" },
  { name: "delayed", label: "Delayed", color: "yellow.8" },
  { name: "failed", label: "Failed (dead letter)", color: "red.7" },
] as const;

/** Each queue's jobs stacked by state. */
export function QueueBars({ queues }: { queues: Overview["queues"] }) {
  return (
    <BarChart
      h={Math.max(120, queues.length * 48)}
      data={queues}
      dataKey="queue"
      orientation="vertical"
      type="stacked"
      series={[...STATES]}
      withLegend
      yAxisProps={{ width: 96 }}
      xAxisProps={{ allowDecimals: false }}
      barChartProps={{ accessibilityLayer: false }}
    />
  );
}

/** The chart's text alternative, in a table only screen readers see. */
export function QueueTable({ queues }: { queues: Overview["queues"] }) {
  return (
    <VisuallyHidden>
      <Table>
        <Table.Caption>Jobs in each queue by state</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Queue</Table.Th>
            {STATES.map((s) => (
              <Table.Th scope="col" key={s.name}>
                {s.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {queues.map((q) => (
            <Table.Tr key={q.queue}>
              <Table.Th scope="row">{q.queue}</Table.Th>
              {STATES.map((s) => (
                <Table.Td key={s.name}>{q[s.name]}</Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </VisuallyHidden>
  );
}
