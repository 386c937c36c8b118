import { Anchor, Breadcrumbs, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { Link, useParams } from "react-router";
import { ApiError } from "../api/client";
import { useDelivery, useRedeliver } from "../api/deliveries";
import type { Attempt } from "../api/types";
import { useWebhook } from "../api/webhooks";
import { CallbackFacts } from "../components/CallbackFacts";
import { ErrorAlert } from "../components/ErrorAlert";
import { Fact, Facts } from "../components/Facts";
import { BodyBlock, HeadersBlock } from "../components/HeadersBlock";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { StatusBadge } from "../components/StatusBadge";
import { Time } from "../components/Time";
import { formatDuration } from "../lib/format";
import { scopeCrumb } from "./HistoryPage";

export function DeliveryPage() {
  const id = useParams().id ?? "";
  const delivery = useDelivery(id);
  const redeliver = useRedeliver();
  const d = delivery.data;
  // The webhook names the page's way back; a deleted one (admins still see its history) just lacks the link.
  const webhook = useWebhook(d?.webhookId ?? "");

  if (delivery.isPending) return <Loading label="Loading the delivery" />;
  if (delivery.error instanceof ApiError && delivery.error.status === 404) return <NotFound what="such delivery" />;
  if (!d) return <ErrorAlert error={delivery.error} title="The delivery could not be loaded" />;

  const attempts = [...d.attempts].sort((a, b) => b.n - a.n);
  const onRedeliver = () =>
    redeliver.mutate(d.id, {
      onSuccess: () =>
        notifications.show({
          color: "green",
          title: "Redelivery queued",
          message: "A new series of attempts starts now.",
        }),
    });

  return (
    <>
      <PageHeader
        title={`Delivery ${d.id}`}
        above={
          webhook.data && (
            <Breadcrumbs>
              {scopeCrumb(webhook.data)}
              <Anchor component={Link} to={`/webhooks/${encodeURIComponent(d.webhookId)}/history`}>
                {webhook.data.name}
              </Anchor>
              <span>Delivery</span>
            </Breadcrumbs>
          )
        }
        actions={
          <Button onClick={onRedeliver} loading={redeliver.isPending} disabled={d.status === "pending" || d.test}>
            Redeliver
          </Button>
        }
      />
      <Stack>
        <ErrorAlert error={redeliver.error} title="Not redelivered" />
        {(d.status === "pending" || d.test) && (
          <Text size="sm" c="dimmed">
            {d.test
              ? "A test delivery is never sent again: use Test once more."
              : "Redeliver is possible once this delivery has finished."}
          </Text>
        )}
        <Card withBorder component="section" aria-labelledby="summary-title">
          <Title order={2} size="h4" id="summary-title" mb="sm">
            Summary
          </Title>
          <Facts>
            <Fact term="Status">
              <StatusBadge status={d.status} />
            </Fact>
            <Fact term="Event">{`${d.eventType}${d.test ? " (test)" : ""}`}</Fact>
            <Fact term="Event id">{d.eventId}</Fact>
            <Fact term="Attempts">{d.attemptCount}</Fact>
            <Fact term="Last response">{d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : "—"}</Fact>
            <Fact term="Created">
              <Time value={d.createdAt} />
            </Fact>
            <Fact term="Completed">
              <Time value={d.completedAt} />
            </Fact>
            <Fact term="Webhook">{webhook.data?.name ?? d.webhookId}</Fact>
          </Facts>
        </Card>
        {d.callback && (
          <Card withBorder component="section" aria-labelledby="callback-title">
            <Title order={2} size="h4" id="callback-title" mb="sm">
              Callback
            </Title>
            <CallbackFacts callback={d.callback} />
          </Card>
        )}
        <Title order={2} size="h3">
          Attempts
        </Title>
        {attempts.length === 0 ? (
          <Text c="dimmed">No attempt yet: the first is on its way.</Text>
        ) : (
          attempts.map((a) => <AttemptCard key={a.n} attempt={a} />)
        )}
      </Stack>
    </>
  );
}

function AttemptCard({ attempt }: { attempt: Attempt }) {
  const headingId = `attempt-${attempt.n}`;
  const outcome = attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : (attempt.error ?? "No answer recorded");
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  return (
    <Card withBorder component="article" aria-labelledby={headingId} data-attempt={attempt.n}>
      <Group justify="space-between" wrap="wrap" mb="sm">
        <Title order={3} size="h5" id={headingId}>
          Attempt {attempt.n}
        </Title>
        <StatusBadge status={ok ? "succeeded" : "failed"} label={outcome} />
      </Group>
      <Stack gap="sm">
        <Facts>
          <Fact term="Started">
            <Time value={attempt.startedAt} />
          </Fact>
          <Fact term="Duration">{formatDuration(attempt.durationMs)}</Fact>
          <Fact term="Response">{outcome}</Fact>
          {attempt.error && attempt.statusCode !== null && attempt.error !== outcome && (
            <Fact term="Error">{attempt.error}</Fact>
          )}
        </Facts>
        <div>
          <Text size="sm" fw={600} mb={4}>
            Request headers
          </Text>
          <HeadersBlock headers={attempt.requestHeaders} />
        </div>
        <div>
          <Text size="sm" fw={600} mb={4}>
            Response headers
          </Text>
          <HeadersBlock headers={attempt.responseHeaders} empty="No response" />
        </div>
        <div>
          <Text size="sm" fw={600} mb={4}>
            Response body
          </Text>
          <BodyBlock body={attempt.responseBody} empty={attempt.statusCode === null ? "No response" : "Empty"} />
        </div>
      </Stack>
    </Card>
  );
}
