import { BarChart } from "@mantine/charts";
import { Table, VisuallyHidden } from "@mantine/core";
import type { Overview } from "../../api/overview";

const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

export const OUTCOME_SERIES = [
  { name: "succeeded", label: "Succeeded", color: "teal.7" },
  { name: "failed", label: "Failed", color: "red.7" },
  { name: "canceled", label: "Canceled", color: "gray.6" },
];

export const perBucket = (overview: Overview) =>
  overview.bucketMinutes === 1 ? "minute" : `${overview.bucketMinutes} minutes`;

/** Deliveries finished per bucket, stacked by outcome. */
export function DeliveriesBars({ overview }: { overview: Overview }) {
  const data = overview.buckets.map((b) => ({ ...b, time: clock.format(new Date(b.start)) }));
  return (
    <BarChart
      h={240}
      data={data}
      dataKey="time"
      type="stacked"
      series={OUTCOME_SERIES}
      withLegend
      withTooltip
      tickLine="y"
      xAxisProps={{ minTickGap: 24 }}
      yAxisProps={{ allowDecimals: false, width: 40 }}
      barChartProps={{ accessibilityLayer: false }}
    />
  );
}

/** The chart's text alternative: the buckets with any delivery, in a table only screen readers see. */
export function DeliveriesTable({ overview }: { overview: Overview }) {
  const busy = overview.buckets.filter((b) => b.succeeded + b.failed + b.canceled > 0);
  return (
    <VisuallyHidden>
      <Table>
        <Table.Caption>
          Deliveries finished per {perBucket(overview)}, by outcome (periods with none left out)
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Period starting</Table.Th>
            {OUTCOME_SERIES.map((s) => (
              <Table.Th scope="col" key={s.name}>
                {s.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {busy.map((b) => (
            <Table.Tr key={b.start}>
              <Table.Td>{clock.format(new Date(b.start))}</Table.Td>
              <Table.Td>{b.succeeded}</Table.Td>
              <Table.Td>{b.failed}</Table.Td>
              <Table.Td>{b.canceled}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </VisuallyHidden>
  );
}
