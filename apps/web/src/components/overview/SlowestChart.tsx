import { BarChart } from "@mantine/charts";
import { Anchor, Table } from "@mantine/core";
import { Link } from "react-router";
import type { Overview } from "../../api/overview";
import { formatDuration } from "../../lib/format";

type Slow = Overview["slowestWebhooks"][number];

export function scopeOf(w: { repository: string | null; namespace: string | null }): string {
  return w.repository ?? (w.namespace ? `namespace ${w.namespace}` : "global");
}

/** The slowest webhooks' p95 and mean attempt durations as bars. */
export function SlowestBars({ webhooks }: { webhooks: Slow[] }) {
  return (
    <BarChart
      h={Math.max(120, webhooks.length * 44)}
      data={webhooks.map((w) => ({ name: w.name, p95: w.p95Ms, mean: w.meanMs }))}
      dataKey="name"
      orientation="vertical"
      series={[
        { name: "p95", label: "p95 (ms)", color: "orange.7" },
        { name: "mean", label: "mean (ms)", color: "blue.7" },
      ]}
      withLegend
      yAxisProps={{ width: 96 }}
      barChartProps={{ accessibilityLayer: false }}
    />
  );
}

/** The same figures, each webhook linking to its history: the chart's alternative, shown to all. */
export function SlowestTable({ webhooks }: { webhooks: Slow[] }) {
  return (
    <Table.ScrollContainer minWidth={320} mt="sm">
      <Table>
        <Table.Caption>Slowest webhooks by the 95th percentile of their attempts' durations</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Webhook</Table.Th>
            <Table.Th scope="col">p95</Table.Th>
            <Table.Th scope="col">Mean</Table.Th>
            <Table.Th scope="col">Attempts</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {webhooks.map((w) => (
            <Table.Tr key={w.id}>
              <Table.Td>
                <Anchor component={Link} to={`/webhooks/${encodeURIComponent(w.id)}/history`}>
                  {w.name}
                </Anchor>{" "}
                ({scopeOf(w)})
              </Table.Td>
              <Table.Td>{formatDuration(w.p95Ms)}</Table.Td>
              <Table.Td>{formatDuration(w.meanMs)}</Table.Td>
              <Table.Td>{w.attempts}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
