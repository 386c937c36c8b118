import "@mantine/charts/styles.css";
import { SegmentedControl, SimpleGrid, Stack } from "@mantine/core";
import { useState } from "react";
import { OVERVIEW_WINDOWS, type OverviewWindow, refreshSeconds, useOverview } from "../api/overview";
import { useUser } from "../api/session";
import { ErrorAlert } from "../components/ErrorAlert";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { ChartFigure } from "../components/overview/ChartFigure";
import { DeliveriesBars, DeliveriesTable, perBucket } from "../components/overview/DeliveriesChart";
import { DisabledWebhooks } from "../components/overview/DisabledWebhooks";
import { OverviewFigures } from "../components/overview/OverviewFigures";
import { QueueBars, QueueTable } from "../components/overview/QueuesChart";
import { SlowestBars, SlowestTable } from "../components/overview/SlowestChart";
import { PageHeader } from "../components/PageHeader";

/**
 * How the whole system is doing, for global admins: loaded on demand (App.tsx, React.lazy), so the
 * chart library stays out of every other page's bundle.
 */
export function OverviewPage() {
  const me = useUser();
  if (!me.admin) {
    return <NotFound what="overview" explanation="Only global admins see how the whole system is doing." />;
  }
  return <AdminOverview />;
}

function AdminOverview() {
  const [window, setWindow] = useState<OverviewWindow>("1h");
  const overview = useOverview(window);
  const data = overview.data;
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Deliveries, failures, slow and disabled webhooks, and the queues: refreshed every ${refreshSeconds(window)} seconds.`}
        actions={
          <SegmentedControl
            aria-label="Time window"
            value={window}
            onChange={(value) => setWindow(value as OverviewWindow)}
            data={OVERVIEW_WINDOWS.map((w) => ({ value: w, label: `Last ${w}` }))}
            size="xs"
          />
        }
      />
      <Stack>
        <ErrorAlert error={overview.error} title="The overview could not be loaded" />
        {!data ? (
          overview.isPending && <Loading label="Loading the overview" />
        ) : (
          <>
            <OverviewFigures overview={data} />
            <ChartFigure
              title="Deliveries by outcome"
              summary={`${data.totals.succeeded} succeeded, ${data.totals.failed} failed and ${data.totals.canceled} canceled in the last ${data.window}, per ${perBucket(data)}.`}
              chart={<DeliveriesBars overview={data} />}
              alternative={<DeliveriesTable overview={data} />}
            />
            <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
              <ChartFigure
                title="Slowest webhooks"
                summary={
                  data.slowestWebhooks.length === 0
                    ? `No attempt finished in the last ${data.window}.`
                    : `The ${data.slowestWebhooks.length} whose attempts took longest in the last ${data.window}.`
                }
                chart={data.slowestWebhooks.length > 0 && <SlowestBars webhooks={data.slowestWebhooks} />}
                alternative={data.slowestWebhooks.length > 0 && <SlowestTable webhooks={data.slowestWebhooks} />}
              />
              <ChartFigure
                title="Queue depth"
                summary="Jobs in each queue by state, now."
                chart={<QueueBars queues={data.queues} />}
                alternative={<QueueTable queues={data.queues} />}
              />
            </SimpleGrid>
            <ChartFigure
              title={`Disabled webhooks (${data.disabledWebhooks.total})`}
              summary="Not deleted; enable one again from its repository or scope."
              chart={null}
              alternative={<DisabledWebhooks disabled={data.disabledWebhooks} />}
            />
          </>
        )}
      </Stack>
    </>
  );
}
