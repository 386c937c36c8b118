import { Anchor, Card, Group, Stack, Table, Text, VisuallyHidden } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { Link } from "react-router";
import type { WebhookListItem } from "../api/types";
import type { Scope } from "../api/webhooks";
import { StatusBadge } from "./StatusBadge";
import { Time } from "./Time";
import { WebhookActions } from "./WebhookActions";

const historyPath = (w: WebhookListItem) => `/webhooks/${encodeURIComponent(w.id)}/history`;

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

function LastDelivery({ webhook }: { webhook: WebhookListItem }) {
  const last = webhook.lastDelivery;
  if (!last) {
    return (
      <Text size="sm" c="dimmed">
        None yet
      </Text>
    );
  }
  return (
    <Stack gap={2} align="flex-start">
      <Anchor
        component={Link}
        to={`/deliveries/${encodeURIComponent(last.id)}`}
        aria-label={`Last delivery of ${webhook.name}: ${last.status}`}
      >
        <StatusBadge status={last.status} />
      </Anchor>
      <Text size="xs" c="dimmed">
        {last.lastStatusCode !== null ? `HTTP ${last.lastStatusCode} · ` : ""}
        <Time value={last.createdAt} />
      </Text>
    </Stack>
  );
}

/** Docker Hub's "Current Webhooks": a table, or at phone width one card per webhook. */
export function WebhookTable({ webhooks, scope }: { webhooks: WebhookListItem[]; scope: Scope }) {
  const phone = useMediaQuery("(max-width: 48em)");
  if (phone) {
    return (
      <Stack gap="sm" component="ul" aria-label="Current webhooks" p={0} m={0} style={{ listStyle: "none" }}>
        {webhooks.map((w) => (
          <Card key={w.id} withBorder component="li" padding="sm">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div style={{ minWidth: 0 }}>
                <Anchor component={Link} to={historyPath(w)} fw={500}>
                  {w.name}
                </Anchor>
                <Text size="xs" ff="monospace" style={{ overflowWrap: "anywhere" }}>
                  {w.url}
                </Text>
              </div>
              <WebhookActions webhook={w} scope={scope} />
            </Group>
            <Text size="xs" c="dimmed" mt={4}>
              {w.events.join(", ")} · {w.format}
              {w.filter ? ` · tags ${w.filter.tags.join(", ")}` : ""}
            </Text>
            <Group mt="xs" gap="xl" align="flex-start">
              <div>
                <Text size="xs" c="dimmed" fw={600}>
                  State
                </Text>
                <State webhook={w} />
              </div>
              <div>
                <Text size="xs" c="dimmed" fw={600}>
                  Last delivery
                </Text>
                <LastDelivery webhook={w} />
              </div>
            </Group>
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
              <Table.Td>
                <Anchor component={Link} to={historyPath(w)} fw={500}>
                  {w.name}
                </Anchor>
                {w.filter && (
                  <Text size="xs" c="dimmed">
                    Tags: {w.filter.tags.join(", ")}
                  </Text>
                )}
              </Table.Td>
              <Table.Td style={{ maxWidth: 260, overflowWrap: "anywhere" }}>
                <Text size="sm" ff="monospace">
                  {w.url}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{w.events.join(", ")}</Text>
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
