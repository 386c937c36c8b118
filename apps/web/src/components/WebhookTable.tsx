import { Anchor, Card, Group, Stack, Table, Text, VisuallyHidden } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import type { WebhookListItem } from "../api/types";
import type { Scope } from "../api/webhooks";
import { StatusBadge } from "./StatusBadge";
import { Time } from "./Time";
import { WebhookActions } from "./WebhookActions";

const detailsPath = (w: WebhookListItem) => `/webhooks/${encodeURIComponent(w.id)}`;

/** Long names and URLs (the API takes 200 and 2,048 characters) stay on one line, whole on hover. */
const ONE_LINE = { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", display: "block" } as const;

/** The webhook's name, a link to its details; `focus` puts focus on it once shown (after its creation). */
function NameLink({ webhook, focus }: { webhook: WebhookListItem; focus: boolean }) {
  const ref = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (!focus) return;
    // After the dialog has closed and given focus back to its (possibly vanished) opener.
    const timer = setTimeout(() => ref.current?.focus(), 50);
    return () => clearTimeout(timer);
  }, [focus]);
  return (
    <Anchor ref={ref} component={Link} to={detailsPath(webhook)} fw={500} title={webhook.name} style={ONE_LINE}>
      {webhook.name}
    </Anchor>
  );
}

function State({ webhook }: { webhook: WebhookListItem }) {
  return (
    <Stack gap={2} align="flex-start">
      <StatusBadge status={webhook.enabled ? "enabled" : "disabled"} />
      {!webhook.enabled && (
        <Text size="xs" c="dimmed">
          {webhook.disabledReason ?? "Paused"}
        </Text>
      )}
    </Stack>
  );
}

function LastDelivery({ webhook, inline }: { webhook: WebhookListItem; inline?: boolean }) {
  const last = webhook.lastDelivery;
  if (!last) {
    return (
      <Text size="sm" c="dimmed" style={{ whiteSpace: "nowrap" }}>
        None yet
      </Text>
    );
  }
  const badge = (
    <Anchor
      component={Link}
      to={`/deliveries/${encodeURIComponent(last.id)}`}
      aria-label={`Last delivery of ${webhook.name}: ${last.status}`}
    >
      <StatusBadge status={last.status} />
    </Anchor>
  );
  // On a phone's card: the badge alone, its time on hover.
  if (inline) return <span title={last.createdAt}>{badge}</span>;
  return (
    <Stack gap={2} align="flex-start">
      {badge}
      <Text size="xs" c="dimmed">
        {last.lastStatusCode !== null ? `HTTP ${last.lastStatusCode} · ` : ""}
        <Time value={last.createdAt} />
      </Text>
    </Stack>
  );
}

/** Docker Hub's "Current Webhooks": a table, or at phone width one card per webhook. */
export function WebhookTable({
  webhooks,
  scope,
  focusId,
}: {
  webhooks: WebhookListItem[];
  scope: Scope;
  /** The webhook whose name should take focus: the one just created. */
  focusId?: string | null;
}) {
  const phone = useMediaQuery("(max-width: 48em)");
  if (phone) {
    return (
      <Stack gap="sm" component="ul" aria-label="Current webhooks" p={0} m={0} style={{ listStyle: "none" }}>
        {webhooks.map((w) => (
          <Card key={w.id} withBorder component="li" padding="sm">
            {/* Compact, so that a long name or URL (truncated, whole on hover) keeps each card short. */}
            <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
              <div style={{ minWidth: 0 }}>
                <NameLink webhook={w} focus={focusId === w.id} />
                <Text size="xs" ff="monospace" title={w.url} style={ONE_LINE}>
                  {w.url}
                </Text>
              </div>
              <WebhookActions webhook={w} scope={scope} />
            </Group>
            <Group mt={6} gap="xs" wrap="nowrap" align="center">
              <VisuallyHidden>State:</VisuallyHidden>
              <StatusBadge status={w.enabled ? "enabled" : "disabled"} />
              <VisuallyHidden>Last delivery:</VisuallyHidden>
              <LastDelivery webhook={w} inline />
              <Text
                size="xs"
                c="dimmed"
                style={{ ...ONE_LINE, minWidth: 0 }}
                title={`${w.events.join(", ")} · ${w.format}`}
              >
                {w.events.join(", ")} · {w.format}
                {w.filter ? ` · tags ${w.filter.tags.join(", ")}` : ""}
              </Text>
            </Group>
            {!w.enabled && (
              <Text size="xs" c="dimmed" style={ONE_LINE} title={w.disabledReason ?? "Paused"}>
                {w.disabledReason ?? "Paused"}
              </Text>
            )}
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table verticalSpacing="sm" highlightOnHover captionSide="top">
        <Table.Caption style={{ textAlign: "start" }}>Current webhooks</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">URL</Table.Th>
            <Table.Th scope="col">Events</Table.Th>
            <Table.Th scope="col">Format</Table.Th>
            <Table.Th scope="col">State</Table.Th>
            <Table.Th scope="col">Last delivery</Table.Th>
            <Table.Th scope="col">
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {webhooks.map((w) => (
            <Table.Tr key={w.id}>
              <Table.Td style={{ maxWidth: 220 }}>
                <NameLink webhook={w} focus={focusId === w.id} />
                {w.filter && (
                  <Text size="xs" c="dimmed" style={ONE_LINE} title={w.filter.tags.join(", ")}>
                    Tags: {w.filter.tags.join(", ")}
                  </Text>
                )}
              </Table.Td>
              <Table.Td style={{ maxWidth: 260 }}>
                <Text size="sm" ff="monospace" title={w.url} style={ONE_LINE}>
                  {w.url}
                </Text>
              </Table.Td>
              <Table.Td style={{ maxWidth: 220 }}>
                <Text size="sm" lineClamp={2} title={w.events.join(", ")}>
                  {w.events.join(", ")}
                </Text>
              </Table.Td>
              <Table.Td>{w.format}</Table.Td>
              <Table.Td>
                <State webhook={w} />
              </Table.Td>
              <Table.Td>
                <LastDelivery webhook={w} />
              </Table.Td>
              <Table.Td>
                <WebhookActions webhook={w} scope={scope} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
