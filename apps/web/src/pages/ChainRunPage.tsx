import { Anchor, Breadcrumbs, Card, Group, Stack, Text, Timeline, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { useChainRun } from "../api/chains";
import { ApiError } from "../api/client";
import type { RunStep } from "../api/types";
import { useWebhookNames } from "../api/webhooks";
import { CallbackFacts } from "../components/CallbackFacts";
import { CopyId } from "../components/CopyId";
import { ErrorAlert } from "../components/ErrorAlert";
import { Fact, Facts } from "../components/Facts";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { StatusBadge } from "../components/StatusBadge";
import { Time } from "../components/Time";
import { chainsTabPath } from "./ChainPage";

const DONE = new Set(["success"]);

export function ChainRunPage() {
  const id = useParams().id ?? "";
  const run = useChainRun(id);
  // A run's steps name only their webhooks' ids; each webhook gives its name.
  const names = useWebhookNames(run.data?.steps.map((s) => s.webhookId) ?? []);

  if (run.isPending) return <Loading label="Loading the run" />;
  if (run.error instanceof ApiError && run.error.status === 404) return <NotFound what="such chain run" />;
  if (!run.data) return <ErrorAlert error={run.error} title="The run could not be loaded" />;
  const r = run.data;
  const reached = r.steps.filter((s) => DONE.has(s.state)).length;

  return (
    <>
      <PageHeader
        title={`Run of ${r.chainName}`}
        description={<CopyId value={r.id} what="run" />}
        above={
          <Breadcrumbs>
            <Anchor component={Link} to={chainsTabPath(r.repository)}>
              {r.repository}
            </Anchor>
            <Anchor component={Link} to={`/chains/${encodeURIComponent(r.chainId)}`}>
              {r.chainName}
            </Anchor>
            <span>Run</span>
          </Breadcrumbs>
        }
      />
      <Stack>
        <Card withBorder component="section" aria-labelledby="run-title">
          <Title order={2} size="h4" id="run-title" mb="sm">
            Summary
          </Title>
          <Facts>
            <Fact term="State">
              <StatusBadge status={r.state} />
            </Fact>
            <Fact term="Event">{`${r.eventType}${r.tag ? ` of tag ${r.tag}` : ""}`}</Fact>
            <Fact term="Event id">
              <CopyId value={r.eventId} what="event" />
            </Fact>
            <Fact term="Step">{`${r.currentStep} of ${r.steps.length}`}</Fact>
            <Fact term="Started">
              <Time value={r.createdAt} />
            </Fact>
            <Fact term="Ended">{r.endedAt ? <Time value={r.endedAt} /> : "Still running"}</Fact>
            <Fact term="Reason">{r.reason ?? "—"}</Fact>
          </Facts>
          {r.state === "running" && (
            <Text size="sm" c="dimmed" mt="sm" aria-live="polite">
              Refreshing every 2 seconds while the run goes on.
            </Text>
          )}
        </Card>
        <Title order={2} size="h3">
          Steps
        </Title>
        <Timeline active={reached - 1} bulletSize={22} lineWidth={2}>
          {r.steps.map((step) => (
            <Timeline.Item key={step.position} bullet={<span aria-hidden="true">{step.position}</span>}>
              <StepCard step={step} name={names.get(step.webhookId) ?? step.webhookId} />
            </Timeline.Item>
          ))}
        </Timeline>
      </Stack>
    </>
  );
}

function StepCard({ step, name }: { step: RunStep; name: string }) {
  const headingId = `step-${step.position}`;
  return (
    <Card withBorder component="article" aria-labelledby={headingId} data-step={step.position}>
      <Group justify="space-between" wrap="wrap" mb="xs">
        <Title order={3} size="h5" id={headingId}>
          Step {step.position}: {name}
        </Title>
        <StatusBadge status={step.state} />
      </Group>
      <Stack gap="sm">
        <Facts>
          <Fact term="Started">
            <Time value={step.startedAt} />
          </Fact>
          <Fact term="Delivery">
            {step.delivery ? (
              <Anchor component={Link} to={`/deliveries/${encodeURIComponent(step.delivery.id)}`}>
                {step.delivery.status}
                {step.delivery.lastStatusCode !== null ? `, HTTP ${step.delivery.lastStatusCode}` : ""} (
                {step.delivery.attempts} {step.delivery.attempts === 1 ? "attempt" : "attempts"})
              </Anchor>
            ) : null}
            {step.delivery ? <CopyId value={step.delivery.id} what="delivery" /> : "Not sent"}
          </Fact>
        </Facts>
        {step.callback && (
          <div>
            <Text size="sm" fw={600} mb={4}>
              Callback
            </Text>
            <CallbackFacts callback={step.callback} />
          </div>
        )}
      </Stack>
    </Card>
  );
}
