import { Button, Card, Group, List, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { Link } from "react-router";
import { useChains, useDeleteChain } from "../api/chains";
import type { Chain } from "../api/types";
import { useEveryWebhook } from "../api/webhooks";
import { ChainFormModal } from "../components/ChainForm";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { CursorPager, useCursorPages } from "../components/CursorPager";
import { EmptyNote } from "../components/EmptyNote";
import { ErrorAlert } from "../components/ErrorAlert";
import { Loading } from "../components/Loading";
import { StatusBadge } from "../components/StatusBadge";

export function ChainsTab({ repository }: { repository: string }) {
  const pages = useCursorPages();
  const chains = useChains(repository, pages.cursor);
  const webhooks = useEveryWebhook(repository);
  const remove = useDeleteChain();
  const [editing, setEditing] = useState<Chain | "new" | null>(null);
  const [deleting, setDeleting] = useState<Chain | null>(null);
  const items = chains.data?.items ?? [];
  const createButton = <Button onClick={() => setEditing("new")}>Create chain</Button>;

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <div>
          <Title order={2} size="h3">
            Chains
          </Title>
          <Text c="dimmed" size="sm">
            Docker Hub webhooks called one after the other: each next one only once the one before called back success.
          </Text>
        </div>
        {(items.length > 0 || pages.page > 1) && createButton}
      </Group>
      <ErrorAlert error={chains.error} title="The chains could not be loaded" />
      {chains.isPending ? (
        <Loading label="Loading chains" />
      ) : items.length === 0 && pages.page === 1 && !chains.error ? (
        <EmptyNote title="No chains yet" actions={createButton}>
          Create webhooks of the Docker Hub format (test, then deploy), then chain them here in the order they should
          run.
        </EmptyNote>
      ) : (
        items.map((chain) => (
          <Card key={chain.id} withBorder padding="md" component="section" aria-labelledby={`chain-${chain.id}`}>
            <Group justify="space-between" wrap="wrap" mb="xs">
              <div>
                <Title order={3} size="h4" id={`chain-${chain.id}`}>
                  {chain.name}
                </Title>
                <Text size="sm" c="dimmed">
                  On {chain.events.join(", ")}
                </Text>
              </div>
              <Group gap="xs">
                <Button
                  component={Link}
                  to={`/chains/${encodeURIComponent(chain.id)}`}
                  variant="light"
                  aria-label={`Runs of ${chain.name}`}
                >
                  Runs
                </Button>
                <Button variant="default" onClick={() => setEditing(chain)} aria-label={`Edit ${chain.name}`}>
                  Edit
                </Button>
                <Button
                  variant="default"
                  color="red"
                  onClick={() => setDeleting(chain)}
                  aria-label={`Delete ${chain.name}`}
                >
                  Delete
                </Button>
              </Group>
            </Group>
            <List type="ordered" spacing={4}>
              {chain.steps.map((step) => (
                <List.Item key={step.webhookId}>
                  <Group gap="xs">
                    <Text size="sm">{step.name}</Text>
                    {!step.enabled && (
                      <StatusBadge status="disabled" label={`disabled: ${step.disabledReason ?? "paused"}`} />
                    )}
                  </Group>
                </List.Item>
              ))}
            </List>
          </Card>
        ))
      )}
      <CursorPager
        pages={pages}
        nextCursor={chains.data?.nextCursor}
        label="Pages of chains"
        shown={items.length}
        total={chains.data?.total}
        totalCapped={chains.data?.totalCapped}
      />
      <ChainFormModal
        repository={repository}
        chain={editing === "new" || editing === null ? undefined : editing}
        webhooks={webhooks.data ?? []}
        opened={editing !== null}
        onClose={() => setEditing(null)}
      />
      <ConfirmDialog
        opened={deleting !== null}
        title={`Delete chain ${deleting?.name ?? ""}?`}
        confirmLabel="Delete chain"
        onClose={() => setDeleting(null)}
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notifications.show({ color: "green", title: "Chain deleted", message: `${deleting.name} was deleted.` });
              setDeleting(null);
            },
          })
        }
      >
        The chain and its runs are deleted and the pending deliveries of its steps canceled. Its webhooks stay.
      </ConfirmDialog>
    </Stack>
  );
}
