import {
  Anchor,
  Badge,
  Box,
  Breadcrumbs,
  Button,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type FormEvent, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { ApiError } from "../api/client";
import { type DeliveryFilter, useDeliveries } from "../api/deliveries";
import type { DeliveryStatus, DeliverySummary, Webhook } from "../api/types";
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

/** The history's search as the URL keeps it (a link or a reload shows the same rows). */
function filterOf(params: URLSearchParams): DeliveryFilter {
  const status = params.get("status") ?? "";
  return {
    status: STATUSES.some((s) => s.value === status) ? (status as DeliveryStatus | "") : "",
    tag: params.get("tag") ?? "",
    eventId: params.get("eventId") ?? "",
    from: params.get("from") ?? "",
    to: params.get("to") ?? "",
  };
}

function History({ webhook }: { webhook: Webhook }) {
  const [params, setParams] = useSearchParams();
  const filter = filterOf(params);
  const searched = Boolean(filter.tag || filter.eventId || filter.from || filter.to);
  const setFilter = (next: DeliveryFilter) =>
    setParams(Object.fromEntries(Object.entries(next).filter(([, value]) => value !== "")), { replace: false });
  const pages = useCursorPages(params.toString());
  const deliveries = useDeliveries(webhook.id, filter, pages.cursor);
  const items = deliveries.data?.items ?? [];
  const pending = items.filter((d) => d.status === "pending").length;

  return (
    <>
      <PageHeader
        title={`History of ${webhook.name}`}
        description={
          <>
            Deliveries to{" "}
            <Text span ff="monospace" style={{ overflowWrap: "anywhere" }}>
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
        <SearchForm key={params.toString()} filter={filter} onSearch={setFilter} />
        <Text size="sm" c="dimmed" aria-live="polite">
          {pending > 0 ? `${pending} pending: refreshing every 2 seconds` : ""}
        </Text>
        <ErrorAlert error={deliveries.error} title="The deliveries could not be loaded" />
        {deliveries.isPending ? (
          <Loading label="Loading deliveries" />
        ) : items.length === 0 ? (
          <EmptyNote
            title={
              searched ? "No deliveries match" : filter.status ? `No ${filter.status} deliveries` : "No deliveries yet"
            }
          >
            {searched
              ? "Change the search, or Clear it."
              : filter.status
                ? "Choose another status, or All."
                : "Deliveries appear here when an event of its types happens. Send one now with Test in the webhook's menu, or push a tag."}
          </EmptyNote>
        ) : (
          <>
            <DeliveryTable items={items} webhook={webhook} caption={`Deliveries, page ${pages.page}`} />
            <DeliveryCards items={items} webhook={webhook} />
            <CursorPager
              pages={pages}
              nextCursor={deliveries.data?.nextCursor}
              shown={items.length}
              total={deliveries.data?.total}
              totalCapped={deliveries.data?.totalCapped}
            />
          </>
        )}
        <RecoverForm webhook={webhook} />
      </Stack>
    </>
  );
}

/** The search bar: status at once, the rest on Search; Clear drops it all. */
function SearchForm({ filter, onSearch }: { filter: DeliveryFilter; onSearch: (filter: DeliveryFilter) => void }) {
  const [tag, setTag] = useState(filter.tag);
  const [eventId, setEventId] = useState(filter.eventId);
  const [from, setFrom] = useState(filter.from ? isoToLocalInput(new Date(filter.from)) : "");
  const [to, setTo] = useState(filter.to ? isoToLocalInput(new Date(filter.to)) : "");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch({
      ...filter,
      tag: tag.trim(),
      eventId: eventId.trim(),
      from: localInputToIso(from) ?? "",
      to: localInputToIso(to) ?? "",
    });
  };
  return (
    <Paper withBorder p="sm" component="form" onSubmit={submit} role="search" aria-label="Search deliveries">
      <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm" verticalSpacing="xs">
        <NativeSelect
          label="Status"
          data={STATUSES}
          value={filter.status}
          onChange={(e) => onSearch({ ...filter, status: e.currentTarget.value as DeliveryStatus | "" })}
        />
        <TextInput label="Tag" placeholder="v1.4.2" value={tag} onChange={(e) => setTag(e.currentTarget.value)} />
        <TextInput
          label="Event id"
          placeholder="evt_…"
          value={eventId}
          onChange={(e) => setEventId(e.currentTarget.value)}
        />
        <TextInput type="datetime-local" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
        <TextInput type="datetime-local" label="To" value={to} onChange={(e) => setTo(e.currentTarget.value)} />
      </SimpleGrid>
      <Group justify="flex-end" mt="sm" gap="xs">
        <Button
          variant="default"
          onClick={() => onSearch({ status: "", tag: "", eventId: "", from: "", to: "" })}
          disabled={!Object.values(filter).some(Boolean)}
        >
          Clear
        </Button>
        <Button type="submit">Search</Button>
      </Group>
    </Paper>
  );
}

/** Which push a delivery is: its tag, short digest, actor, and repository when the webhook spans several. */
function PushFacts({ delivery, webhook }: { delivery: DeliverySummary; webhook: Webhook }) {
  const facts = [
    delivery.tag && { key: "tag", text: delivery.tag, title: `tag ${delivery.tag}` },
    delivery.digest && { key: "digest", text: shortDigest(delivery.digest), title: delivery.digest },
    delivery.actor && { key: "actor", text: delivery.actor, title: `by ${delivery.actor}` },
    !webhook.repository &&
      delivery.repository && { key: "repository", text: delivery.repository, title: delivery.repository },
  ].filter((fact): fact is { key: string; text: string; title: string } => Boolean(fact));
  if (facts.length === 0) return null;
  return (
    <Text size="xs" c="dimmed" style={{ overflowWrap: "anywhere" }}>
      {facts.map((fact, i) => (
        <span key={fact.key} title={fact.title} data-push={fact.key}>
          {i > 0 && " · "}
          {fact.text}
        </span>
      ))}
    </Text>
  );
}

/** "sha256:4f2a9c81d7e3": enough of a digest to tell pushes apart; the whole one on hover. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(":");
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}

function EventCell({ delivery, webhook }: { delivery: DeliverySummary; webhook: Webhook }) {
  return (
    <Stack gap={2}>
      <Group gap={6}>
        <Text size="sm">{delivery.eventType}</Text>
        {delivery.test && (
          <Badge variant="outline" color="gray" size="sm" tt="none">
            test
          </Badge>
        )}
      </Group>
      <PushFacts delivery={delivery} webhook={webhook} />
    </Stack>
  );
}

function DeliveryLink({ delivery }: { delivery: DeliverySummary }) {
  return (
    <Anchor component={Link} to={`/deliveries/${encodeURIComponent(delivery.id)}`}>
      <Time value={delivery.createdAt} />
      <VisuallyHidden>: open delivery</VisuallyHidden>
    </Anchor>
  );
}

/** At desktop width: a table. */
function DeliveryTable({ items, webhook, caption }: { items: DeliverySummary[]; webhook: Webhook; caption: string }) {
  return (
    // Between phone and desktop widths (a tablet, the navigation beside it) the table may be wider
    // than the page: it scrolls inside this region, which the keyboard can reach and scroll.
    <Box visibleFrom="sm" style={{ overflowX: "auto" }} tabIndex={0} role="region" aria-label="Deliveries table">
      <Table verticalSpacing="sm" highlightOnHover miw={640}>
        <Table.Caption>{caption}</Table.Caption>
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
                <DeliveryLink delivery={d} />
              </Table.Td>
              <Table.Td>
                <EventCell delivery={d} webhook={webhook} />
              </Table.Td>
              <Table.Td>{d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : "—"}</Table.Td>
              <Table.Td>{formatDuration(d.durationMs)}</Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Box>
  );
}

/** At phone width: one card a delivery, so that nothing is cut off and the page never scrolls sideways. */
function DeliveryCards({ items, webhook }: { items: DeliverySummary[]; webhook: Webhook }) {
  return (
    <Stack gap="xs" hiddenFrom="sm" component="ul" aria-label="Deliveries" p={0} m={0} style={{ listStyle: "none" }}>
      {items.map((d) => (
        <Paper withBorder p="sm" key={d.id} component="li" data-delivery-card={d.id}>
          <Group justify="space-between" wrap="wrap" gap="xs">
            <StatusBadge status={d.status} />
            <DeliveryLink delivery={d} />
          </Group>
          <EventCell delivery={d} webhook={webhook} />
          <Text size="xs" c="dimmed" mt={4}>
            {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : "No response yet"} ·{" "}
            {formatDuration(d.durationMs)} · {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
          </Text>
        </Paper>
      ))}
    </Stack>
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
