import {
  Anchor,
  Badge,
  Breadcrumbs,
  Button,
  Group,
  NativeSelect,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError } from "../api/client";
import { useDeliveries } from "../api/deliveries";
import type { DeliveryStatus, Webhook } from "../api/types";
import { scopeLabel, scopeOf, useRecover, useWebhook } from "../api/webhooks";
import { CursorPager, useCursorPages } from "../components/CursorPager";
import { EmptyNote } from "../components/EmptyNote";
import { ErrorAlert } from "../components/ErrorAlert";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { StatusBadge } from "../components/StatusBadge";
import { Time } from "../components/Time";
import { splitError } from "../lib/field-errors";
import { formatDuration, isoToLocalInput, localInputToIso } from "../lib/format";
import { repositoryPath } from "./RepositoriesPage";

const STATUSES = [
  { value: "", label: "All" },
  { value: "pending", label: "Pending" },
  { value: "succeeded", label: "Succeeded" },
  { value: "failed", label: "Failed" },
  { value: "canceled", label: "Canceled" },
];

export function HistoryPage() {
  const id = useParams().id ?? "";
  const webhook = useWebhook(id);
  if (webhook.isPending) return <Loading label="Loading the webhook" />;
  if (webhook.error instanceof ApiError && webhook.error.status === 404) return <NotFound what="such webhook" />;
  if (!webhook.data) return <ErrorAlert error={webhook.error} title="The webhook could not be loaded" />;
  return <History webhook={webhook.data} />;
}

export function scopeCrumb(webhook: Pick<Webhook, "repository" | "namespace">) {
  if (webhook.repository) {
    return (
      <Anchor component={Link} to={repositoryPath(webhook.repository)}>
        {webhook.repository}
      </Anchor>
    );
  }
  const scope = scopeOf(webhook);
  const to =
    scope.kind === "namespace"
      ? `/scoped-webhooks?namespace=${encodeURIComponent(scope.namespace)}`
      : "/scoped-webhooks";
  return (
    <Anchor component={Link} to={to}>
      {scopeLabel(scope)}
    </Anchor>
  );
}

function History({ webhook }: { webhook: Webhook }) {
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const pages = useCursorPages();
  const deliveries = useDeliveries(webhook.id, status, pages.cursor);
  const items = deliveries.data?.items ?? [];
  const pending = items.filter((d) => d.status === "pending").length;

  return (
    <>
      <PageHeader
        title={`History of ${webhook.name}`}
        description={
          <>
            Deliveries to{" "}
            <Text span ff="monospace">
              {webhook.url}
            </Text>
            , newest first.
          </>
        }
        above={
          <Breadcrumbs>
            {scopeCrumb(webhook)}
            <span>{webhook.name}</span>
          </Breadcrumbs>
        }
      />
      <Stack>
        {!webhook.enabled && (
          <Text role="note">
            <StatusBadge status="disabled" /> {webhook.disabledReason ?? "Paused"}. Enable it from its menu, then
            Recover what it missed.
          </Text>
        )}
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <NativeSelect
            label="Status"
            data={STATUSES}
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as DeliveryStatus | "");
              pages.reset();
            }}
            w={200}
          />
          <Text size="sm" c="dimmed" aria-live="polite">
            {pending > 0 ? `${pending} pending: refreshing every 2 seconds` : ""}
          </Text>
        </Group>
        <ErrorAlert error={deliveries.error} title="The deliveries could not be loaded" />
        {deliveries.isPending ? (
          <Loading label="Loading deliveries" />
        ) : items.length === 0 ? (
          <EmptyNote title={status ? `No ${status} deliveries` : "No deliveries yet"}>
            {status
              ? "Choose another status, or All."
              : "Deliveries appear here when an event of its types happens. Send one now with Test in the webhook's menu, or push a tag."}
          </EmptyNote>
        ) : (
          <>
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing="sm" highlightOnHover>
                <Table.Caption>
                  Deliveries, page {pages.page}
                  {status ? `, ${status} only` : ""}
                </Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Time</Table.Th>
                    <Table.Th scope="col">Event</Table.Th>
                    <Table.Th scope="col">Response</Table.Th>
                    <Table.Th scope="col">Duration</Table.Th>
                    <Table.Th scope="col">Attempts</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((d) => (
                    <Table.Tr key={d.id} data-delivery-id={d.id}>
                      <Table.Td>
                        <StatusBadge status={d.status} />
                      </Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/deliveries/${encodeURIComponent(d.id)}`}>
                          <Time value={d.createdAt} />
                          <VisuallyHidden>: open delivery</VisuallyHidden>
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        <Group gap={6}>
                          <Text size="sm">{d.eventType}</Text>
                          {d.test && (
                            <Badge variant="outline" color="gray" size="sm" tt="none">
                              test
                            </Badge>
                          )}
                        </Group>
                      </Table.Td>
                      <Table.Td>{d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : "—"}</Table.Td>
                      <Table.Td>{formatDuration(d.durationMs)}</Table.Td>
                      <Table.Td>{d.attempts}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <CursorPager pages={pages} nextCursor={deliveries.data?.nextCursor} />
          </>
        )}
        <RecoverForm webhook={webhook} />
      </Stack>
    </>
  );
}

function RecoverForm({ webhook }: { webhook: Webhook }) {
  const recover = useRecover();
  const [since, setSince] = useState(() => isoToLocalInput(new Date(Date.now() - 24 * 3600_000)));
  const [localError, setLocalError] = useState<string | null>(null);
  const { fieldErrors, general } = splitError(recover.error, ["since"]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const iso = localInputToIso(since);
    if (!iso) {
      setLocalError("since: enter a date and time");
      return;
    }
    setLocalError(null);
    recover.mutate(
      { id: webhook.id, since: iso },
      {
        onSuccess: (r) =>
          notifications.show({
            color: "green",
            title: "Recovery started",
            message: `${r.count} deliveries queued: ${r.redelivered} failed ones sent again, ${r.missed} missed while disabled.`,
          }),
      },
    );
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="recover-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          <Title order={2} size="h4" id="recover-title">
            Recover
          </Title>
          <Text size="sm" c="dimmed">
            Sends again every failed delivery since then, and delivers the events this webhook missed while it was
            disabled.
          </Text>
          <Group align="flex-start" wrap="wrap">
            <TextInput
              type="datetime-local"
              label="Recover deliveries since"
              value={since}
              onChange={(e) => setSince(e.currentTarget.value)}
              error={localError ?? fieldErrors.since}
              w={260}
            />
            <Button type="submit" mt={25} loading={recover.isPending}>
              Recover
            </Button>
          </Group>
          <ErrorAlert error={general} title="Nothing was recovered" />
        </Stack>
      </form>
    </Paper>
  );
}
