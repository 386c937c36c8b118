import { Button, Group, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useState } from "react";
import { type Scope, scopeLabel, useWebhooks } from "../api/webhooks";
import { CursorPager, useCursorPages } from "./CursorPager";
import { EmptyNote } from "./EmptyNote";
import { ErrorAlert } from "./ErrorAlert";
import { Loading } from "./Loading";
import { WebhookFormModal } from "./WebhookForm";
import { WebhookTable } from "./WebhookTable";

/** A scope's current webhooks, with the form to create one. */
export function WebhooksSection({ scope }: { scope: Scope }) {
  const pages = useCursorPages();
  const webhooks = useWebhooks(scope, pages.cursor);
  const [creating, { open, close }] = useDisclosure(false);
  // The webhook just created: its row takes focus, as the button that opened the form may be gone.
  const [created, setCreated] = useState<string | null>(null);
  const items = webhooks.data?.items ?? [];
  const createButton = <Button onClick={open}>Create webhook</Button>;

  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <div>
          <Title order={2} size="h3">
            Webhooks
          </Title>
          <Text c="dimmed" size="sm">
            POST requests Hookyard sends to your URLs when events of {scopeLabel(scope)} happen.
          </Text>
        </div>
        {(items.length > 0 || pages.page > 1) && createButton}
      </Group>
      <ErrorAlert error={webhooks.error} title="The webhooks could not be loaded" />
      {webhooks.isPending ? (
        <Loading label="Loading webhooks" />
      ) : items.length === 0 && pages.page === 1 && !webhooks.error ? (
        <EmptyNote title="No webhooks yet" actions={createButton}>
          Create a webhook to have Hookyard POST each event of {scopeLabel(scope)} to your CI, deploy or chat service.
        </EmptyNote>
      ) : (
        items.length > 0 && <WebhookTable webhooks={items} scope={scope} focusId={created} />
      )}
      <CursorPager
        pages={pages}
        nextCursor={webhooks.data?.nextCursor}
        label="Pages of webhooks"
        shown={items.length}
        total={webhooks.data?.total}
        totalCapped={webhooks.data?.totalCapped}
      />
      <WebhookFormModal scope={scope} opened={creating} onClose={close} onCreated={(w) => setCreated(w.id)} />
    </Stack>
  );
}
