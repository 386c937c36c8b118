import { Anchor, Breadcrumbs, Card, List, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { useChain, useChainRuns } from "../api/chains";
import { ApiError } from "../api/client";
import type { Chain } from "../api/types";
import { CopyId } from "../components/CopyId";
import { CursorPager, useCursorPages } from "../components/CursorPager";
import { EmptyNote } from "../components/EmptyNote";
import { ErrorAlert } from "../components/ErrorAlert";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { StatusBadge } from "../components/StatusBadge";
import { Time } from "../components/Time";
import { repositoryPath } from "./RepositoriesPage";

export function chainsTabPath(repository: string): string {
  return `${repositoryPath(repository)}?tab=chains`;
}

export function ChainPage() {
  const id = useParams().id ?? "";
  const chain = useChain(id);
  if (chain.isPending) return <Loading label="Loading the chain" />;
  if (chain.error instanceof ApiError && chain.error.status === 404) return <NotFound what="such chain" />;
  if (!chain.data) return <ErrorAlert error={chain.error} title="The chain could not be loaded" />;
  return <ChainRuns chain={chain.data} />;
}

function ChainRuns({ chain }: { chain: Chain }) {
  const pages = useCursorPages();
  const runs = useChainRuns(chain.id, pages.cursor);
  const items = runs.data?.items ?? [];
  return (
    <>
      <PageHeader
        title={`Chain ${chain.name}`}
        description={
          <>
            Runs on {chain.events.join(", ")} of {chain.repository}, newest first.{" "}
            <CopyId value={chain.id} what="chain" />
          </>
        }
        above={
          <Breadcrumbs>
            <Anchor component={Link} to={chainsTabPath(chain.repository)}>
              {chain.repository}
            </Anchor>
            <span>{chain.name}</span>
          </Breadcrumbs>
        }
      />
      <Stack>
        <Card withBorder component="section" aria-labelledby="steps-title">
          <Title order={2} size="h4" id="steps-title" mb="xs">
            Steps
          </Title>
          <List type="ordered" spacing={4}>
            {chain.steps.map((s) => (
              <List.Item key={s.webhookId}>
                <Anchor component={Link} to={`/webhooks/${encodeURIComponent(s.webhookId)}/history`}>
                  {s.name}
                </Anchor>
                {!s.enabled && ` (disabled: ${s.disabledReason ?? "paused"})`}
              </List.Item>
            ))}
          </List>
        </Card>
        <Title order={2} size="h3">
          Runs
        </Title>
        <ErrorAlert error={runs.error} title="The runs could not be loaded" />
        {runs.isPending ? (
          <Loading label="Loading runs" />
        ) : items.length === 0 ? (
          <EmptyNote title="No runs yet">
            A run starts when a tag is pushed to {chain.repository}: push one, and follow it here step by step.
          </EmptyNote>
        ) : (
          <>
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="sm" highlightOnHover>
                <Table.Caption>Runs of {chain.name}</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">State</Table.Th>
                    <Table.Th scope="col">Started</Table.Th>
                    <Table.Th scope="col">Tag</Table.Th>
                    <Table.Th scope="col">Step</Table.Th>
                    <Table.Th scope="col">Reason</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((run) => (
                    <Table.Tr key={run.id}>
                      <Table.Td>
                        <StatusBadge status={run.state} />
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/chain-runs/${encodeURIComponent(run.id)}`}>
                          <Time value={run.createdAt} />
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{run.tag ?? "—"}</Table.Td>
                      <Table.Td>
                        {run.currentStep} of {run.steps.length}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{run.reason ?? "—"}</Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <CursorPager
              pages={pages}
              nextCursor={runs.data?.nextCursor}
              shown={items.length}
              total={runs.data?.total}
              totalCapped={runs.data?.totalCapped}
            />
          </>
        )}
      </Stack>
    </>
  );
}
