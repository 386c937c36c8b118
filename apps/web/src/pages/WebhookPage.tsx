import { Anchor, Breadcrumbs, Button, Card, Code, Group, List, Stack, Text, Title } from "@mantine/core";
import { Link, useNavigate, useParams } from "react-router";
import { ApiError } from "../api/client";
import { useUser } from "../api/session";
import type { Webhook } from "../api/types";
import { scopeLabel, scopeOf, useWebhook } from "../api/webhooks";
import { CopyId } from "../components/CopyId";
import { ErrorAlert } from "../components/ErrorAlert";
import { Fact, Facts } from "../components/Facts";
import { Loading } from "../components/Loading";
import { NotFound } from "../components/NotFound";
import { PageHeader } from "../components/PageHeader";
import { formatLabel } from "../components/PayloadFields";
import { StatusBadge } from "../components/StatusBadge";
import { Time } from "../components/Time";
import { WebhookActions } from "../components/WebhookActions";
import { repositoryPath } from "./RepositoriesPage";

/** One webhook's settings, all of them, with its menu: what the API knows of it, its secrets excepted. */
export function WebhookPage() {
  const id = useParams().id ?? "";
  const webhook = useWebhook(id);
  if (webhook.isPending) return <Loading label="Loading the webhook" />;
  if (!webhook.data) {
    if (webhook.error instanceof ApiError && (webhook.error.status === 404 || webhook.error.status === 403)) {
      return <NotFound what="such webhook" />;
    }
    return <ErrorAlert error={webhook.error} title="The webhook could not be loaded" />;
  }
  return <WebhookDetails webhook={webhook.data} />;
}

function ScopeCrumbs({ webhook }: { webhook: Webhook }) {
  if (webhook.repository) {
    return (
      <Breadcrumbs>
        <Anchor component={Link} to="/repositories">
          Repositories
        </Anchor>
        <Anchor component={Link} to={repositoryPath(webhook.repository)}>
          {webhook.repository}
        </Anchor>
        <span>Webhook</span>
      </Breadcrumbs>
    );
  }
  return (
    <Breadcrumbs>
      <Anchor component={Link} to="/scoped-webhooks">
        Namespace & global webhooks
      </Anchor>
      <span>Webhook</span>
    </Breadcrumbs>
  );
}

function WebhookDetails({ webhook }: { webhook: Webhook }) {
  const me = useUser();
  const navigate = useNavigate();
  const scope = scopeOf(webhook);
  const headerNames = Object.keys(webhook.headers);
  const back = webhook.repository ? repositoryPath(webhook.repository) : "/scoped-webhooks";
  return (
    <>
      <PageHeader
        title={webhook.name}
        description="A webhook's settings. Secrets and header values are never shown."
        above={<ScopeCrumbs webhook={webhook} />}
        actions={
          <Group gap="xs">
            <Button component={Link} to={`/webhooks/${encodeURIComponent(webhook.id)}/history`} variant="default">
              View history
            </Button>
            <WebhookActions webhook={webhook} scope={scope} onDeleted={() => navigate(back)} />
          </Group>
        }
      />
      <Stack>
        <Card withBorder component="section" aria-labelledby="webhook-settings">
          <Title order={2} size="h4" id="webhook-settings" mb="sm">
            Settings
          </Title>
          <Facts>
            <Fact term="Id">
              <CopyId value={webhook.id} what="webhook" />
            </Fact>
            <Fact term="URL">
              <Code style={{ overflowWrap: "anywhere", whiteSpace: "normal" }}>{webhook.url}</Code>
            </Fact>
            <Fact term="Scope">{scopeLabel(scope)}</Fact>
            <Fact term="Format">{formatLabel(webhook.format)}</Fact>
            <Fact term="Rate limit">
              {webhook.rateLimit === null ? "None" : `${webhook.rateLimit} deliveries per second at most`}
            </Fact>
            <Fact term="Event types">{webhook.events.join(", ")}</Fact>
            <Fact term="Tag filter">{webhook.filter ? webhook.filter.tags.join(", ") : "None: every tag"}</Fact>
            <Fact term="State">
              <StatusBadge status={webhook.enabled ? "enabled" : "disabled"} />{" "}
              {!webhook.enabled && (webhook.disabledReason ?? "Paused")}
            </Fact>
            <Fact term="Last success">
              {webhook.lastSuccessfulAt ? <Time value={webhook.lastSuccessfulAt} /> : "Never"}
            </Fact>
            <Fact term="Author">
              {webhook.authorId === null ? (
                "A deleted user"
              ) : me.admin ? (
                <Anchor component={Link} to={`/users/${encodeURIComponent(webhook.authorId)}`}>
                  {webhook.authorId}
                </Anchor>
              ) : (
                webhook.authorId
              )}
            </Fact>
            <Fact term="Created">
              <Time value={webhook.createdAt} />
            </Fact>
            <Fact term="Updated">
              <Time value={webhook.updatedAt} />
            </Fact>
          </Facts>
        </Card>
        {webhook.format === "template" && (
          <Card withBorder component="section" aria-labelledby="webhook-template">
            <Title order={2} size="h4" id="webhook-template" mb="sm">
              Template
            </Title>
            <Text size="sm" mb="xs">
              Content-Type: <Code>{webhook.templateContentType ?? "application/json"}</Code>
            </Text>
            <Code
              block
              tabIndex={0}
              role="region"
              aria-label="The webhook's Liquid template"
              style={{ maxHeight: 320, overflow: "auto", whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
            >
              {webhook.template}
            </Code>
          </Card>
        )}
        <Card withBorder component="section" aria-labelledby="webhook-security">
          <Title order={2} size="h4" id="webhook-security" mb="sm">
            Signing, TLS and headers
          </Title>
          <Facts>
            <Fact term="Secret">
              {webhook.hasSecret ? "Deliveries are signed (webhook-signature)" : "None: deliveries are unsigned"}
            </Fact>
            <Fact term="Previous secret">
              {webhook.previousSecretExpiresAt ? (
                <>
                  Still signs until <Time value={webhook.previousSecretExpiresAt} />
                </>
              ) : (
                "None signs any more"
              )}
            </Fact>
            <Fact term="CA certificate">
              {webhook.tlsCert ? "CA certificate given: trusted besides the system's" : "None: the system's CAs"}
            </Fact>
            <Fact term="TLS verification">
              {webhook.skipTLSVerification ? "TLS verification is skipped: any certificate is accepted" : "Verified"}
            </Fact>
            <Fact term="Custom headers">
              {headerNames.length === 0 ? (
                "None"
              ) : (
                <>
                  <List size="sm" spacing={2} component="ul">
                    {headerNames.map((name) => (
                      <List.Item key={name}>
                        <Text span ff="monospace" size="sm">
                          {name}
                        </Text>
                      </List.Item>
                    ))}
                  </List>
                  <Text size="xs" c="dimmed">
                    Values hidden; Edit shows those that are not credentials.
                  </Text>
                </>
              )}
            </Fact>
          </Facts>
        </Card>
      </Stack>
    </>
  );
}
