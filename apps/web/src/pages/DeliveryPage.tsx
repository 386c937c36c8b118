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
import { useNow } from "../lib/use-now";
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
            {d.tag && <Fact term="Tag">{d.tag}</Fact>}
            {d.digest && (
              <Fact term="Digest">
                <Text span inherit style={{ overflowWrap: "anywhere" }}>
                  {d.digest}
                </Text>
              </Fact>
            )}
            {d.actor && <Fact term="Actor">{d.actor}</Fact>}
            {d.repository && <Fact term="Repository">{d.repository}</Fact>}
            <Fact term="Attempts">{d.attemptCount}</Fact>
            {d.status === "pending" && (
              <Fact term="Next attempt">
                <NextAttempt at={d.nextAttemptAt} left={d.attemptsLeft} />
              </Fact>
            )}
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

/** "in 10 min (3 left)": when the schedule brings the next attempt, an estimate (delays vary by up to 20 %). */
function NextAttempt({ at, left }: { at: string | null; left: number }) {
  const now = useNow();
  const remaining = `(${left} left)`;
  if (!at) return <span>{`Due as soon as a worker has room ${remaining}`}</span>;
  const due = Date.parse(at) <= now;
  return (
    <span>
      {due ? "Next attempt due now " : "Next attempt "}
      {!due && <Time value={at} />} {remaining}
    </span>
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
        {attempt.trimmedAt && (
          <Text size="sm" c="dimmed" role="note">
            Headers and bodies were emptied by body retention (HOOKYARD_BODY_RETENTION){" "}
            <Time value={attempt.trimmedAt} />.
          </Text>
        )}
        <div>
          <Text size="sm" fw={600} mb={4}>
            Request headers
          </Text>
          <HeadersBlock headers={attempt.requestHeaders} />
        </div>
        <section aria-labelledby={`${headingId}-request-body`}>
          <Text size="sm" fw={600} mb={4} id={`${headingId}-request-body`}>
            Request body
          </Text>
          <BodyBlock
            body={attempt.requestBody}
            empty={attempt.trimmedAt ? "Trimmed by retention" : "Not recorded (nothing was sent)"}
          />
        </section>
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
